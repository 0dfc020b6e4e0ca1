package main

import "fmt"

func main() {
	in := make(chan int)
	out := make(chan int, 10)
	go func() {
		for i := range 5 {
			in <- i
		}
		close(in)
	}()
	pending := []int{}
	for in != nil {
		var send chan int
		var next int
		if len(pending) > 0 {
			send, next = out, pending[0]
		}
		select {
		case v, ok := <-in:
			if !ok {
				in = nil
				continue
			}
			pending = append(pending, v*10)
		case send <- next:
			pending = pending[1:]
		}
	}
	for _, p := range pending {
		out <- p
	}
	close(out)
	sum := 0
	for v := range out {
		sum += v
	}
	fmt.Println("sum", sum)
}
