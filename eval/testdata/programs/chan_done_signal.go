package main

import "fmt"

func main() {
	done := make(chan struct{})
	data := make(chan int)
	go func() {
		defer close(done)
		for v := range data {
			fmt.Println("handled", v)
		}
	}()
	for i := range 3 {
		data <- i
	}
	close(data)
	<-done
	fmt.Println("all handled")
}
