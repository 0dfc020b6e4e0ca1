package main

import (
	"fmt"
	"sync"
)

func process(batch []int) int {
	s := 0
	for _, v := range batch {
		s += v
	}
	return s
}

func main() {
	data := make([]int, 100)
	for i := range data {
		data[i] = i + 1
	}
	const size = 25
	sums := make(chan int, len(data)/size)
	var wg sync.WaitGroup
	for start := 0; start < len(data); start += size {
		wg.Go(func() { sums <- process(data[start : start+size]) })
	}
	wg.Wait()
	close(sums)
	total := 0
	for s := range sums {
		total += s
	}
	fmt.Println("total", total)
}
