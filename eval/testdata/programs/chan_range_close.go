package main

import "fmt"

func gen(n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			out <- i
		}
	}()
	return out
}

func main() {
	sum := 0
	for v := range gen(10) {
		sum += v
	}
	fmt.Println("sum", sum)
}
