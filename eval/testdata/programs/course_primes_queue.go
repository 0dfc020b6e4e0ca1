package main

import (
	"fmt"
	"slices"
)

type result struct {
	worker int
	primes []int
}

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

func findPrimes(id, lo, hi int, q chan<- result) {
	var ps []int
	for n := lo; n < hi; n++ {
		if isPrime(n) {
			ps = append(ps, n)
		}
	}
	q <- result{id, ps}
}

func main() {
	q := make(chan result)
	ranges := [][2]int{{0, 25}, {25, 50}, {50, 75}, {75, 100}}
	for i, r := range ranges {
		go findPrimes(i, r[0], r[1], q)
	}
	byWorker := make([][]int, len(ranges))
	for range ranges {
		r := <-q
		byWorker[r.worker] = r.primes
	}
	all := slices.Concat(byWorker...)
	fmt.Println(len(all), all)
}
