package main

import "fmt"

func main() {
	const n = 5
	chans := make([]chan int, n+1)
	for i := range chans {
		chans[i] = make(chan int)
	}
	for i := 0; i < n; i++ {
		go func() {
			v := <-chans[i]
			fmt.Println("stage", i, "saw", v)
			chans[i+1] <- v + 1
		}()
	}
	chans[0] <- 100
	fmt.Println("result", <-chans[n])
}
