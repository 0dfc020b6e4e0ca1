package main

import (
	"fmt"
	"sync"
)

func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return true
}

func countPrimes(lo, hi int) int {
	c := 0
	for n := lo; n < hi; n++ {
		if isPrime(n) {
			c++
		}
	}
	return c
}

func main() {
	const limit = 20000
	const workers = 4
	chunk := limit / workers
	counts := make([]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			counts[w] = countPrimes(w*chunk, (w+1)*chunk)
		})
	}
	wg.Wait()
	total := 0
	for w, c := range counts {
		fmt.Printf("chunk %d: %d primes\n", w, c)
		total += c
	}
	fmt.Println("total:", total, "serial:", countPrimes(0, limit))
}
