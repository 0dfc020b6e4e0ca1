package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("start")
	done := make(chan bool)
	go func() {
		panic("worker exploded")
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	fmt.Println("not reached")
}
