package main

import (
	"fmt"
	"time"
)

func main() {
	never := make(chan int)
	select {
	case v := <-never:
		fmt.Println("got", v)
	case <-time.After(5 * time.Millisecond):
		fmt.Println("timeout")
	}
	quick := make(chan string, 1)
	quick <- "ready"
	select {
	case s := <-quick:
		fmt.Println(s)
	case <-time.After(time.Second):
		fmt.Println("timeout")
	}
}
