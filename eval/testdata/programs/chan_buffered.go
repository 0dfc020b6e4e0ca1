package main

import "fmt"

func main() {
	ch := make(chan string, 3)
	ch <- "a"
	ch <- "b"
	fmt.Println(len(ch), cap(ch))
	ch <- "c"
	fmt.Println(<-ch, <-ch)
	ch <- "d"
	close(ch)
	for s := range ch {
		fmt.Println("drained", s)
	}
	v, ok := <-ch
	fmt.Printf("%q %v\n", v, ok)
}
