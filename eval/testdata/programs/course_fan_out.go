package main

import (
	"fmt"
	"sync"
)

func square(in <-chan int, out chan<- [2]int, wg *sync.WaitGroup) {
	defer wg.Done()
	for n := range in {
		out <- [2]int{n, n * n}
	}
}

func main() {
	in := make(chan int)
	out := make(chan [2]int, 20)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go square(in, out, &wg)
	}
	for i := 1; i <= 10; i++ {
		in <- i
	}
	close(in)
	wg.Wait()
	close(out)
	results := make([]int, 11)
	for r := range out {
		results[r[0]] = r[1]
	}
	fmt.Println(results[1:])
}
