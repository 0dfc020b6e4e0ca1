package main

import "fmt"

func producer(out chan<- int) {
	for i := 1; i <= 4; i++ {
		out <- i * 10
	}
	close(out)
}

func consumer(in <-chan int, done chan<- bool) {
	for v := range in {
		fmt.Println("consumed", v)
	}
	done <- true
}

func main() {
	ch := make(chan int)
	done := make(chan bool)
	go producer(ch)
	go consumer(ch, done)
	<-done
	fmt.Printf("%T %T\n", (chan<- int)(ch), (<-chan int)(ch))
}
