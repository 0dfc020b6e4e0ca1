package main

import "fmt"

func main() {
outer:
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if j == 2 {
				continue outer
			}
			if i == 2 {
				break outer
			}
			fmt.Println(i, j)
		}
	}
	n := 0
loop:
	if n < 3 {
		n++
		goto loop
	}
	fmt.Println("n", n)
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	ch <- 3
	close(ch)
recv:
	for {
		select {
		case v, ok := <-ch:
			if !ok || v == 2 {
				break recv
			}
			fmt.Println("got", v)
		}
	}
}
