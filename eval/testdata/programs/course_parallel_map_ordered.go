package main

import (
	"fmt"
	"strings"
	"sync"
)

func ParallelMap[T, U any](xs []T, workers int, f func(T) U) []U {
	out := make([]U, len(xs))
	idx := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range idx {
				out[i] = f(xs[i])
			}
		})
	}
	for i := range xs {
		idx <- i
	}
	close(idx)
	wg.Wait()
	return out
}

func main() {
	words := strings.Fields("uno dos tres cuatro cinco seis")
	fmt.Println(ParallelMap(words, 3, strings.ToUpper))
	fmt.Println(ParallelMap([]int{1, 2, 3, 4}, 2, func(n int) int { return n * n * n }))
}
