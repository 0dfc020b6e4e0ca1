package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	for i := 0; i < 4; i++ {
		select {
		case ch <- i:
			fmt.Println("sent", i)
		default:
			fmt.Println("full, dropped", i)
		}
	}
	select {
	case v := <-ch:
		fmt.Println("received", v)
	default:
		fmt.Println("empty")
	}
	select {
	case v := <-ch:
		fmt.Println("received", v)
	default:
		fmt.Println("empty")
	}
}
