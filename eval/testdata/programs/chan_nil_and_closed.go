package main

import "fmt"

func main() {
	var nilCh chan int
	fmt.Println(nilCh == nil, len(nilCh), cap(nilCh))
	closed := make(chan int, 2)
	closed <- 7
	close(closed)
	for i := 0; i < 3; i++ {
		v, ok := <-closed
		fmt.Println(v, ok)
	}
	select {
	case <-nilCh:
		fmt.Println("impossible")
	default:
		fmt.Println("nil channel never ready")
	}
}
