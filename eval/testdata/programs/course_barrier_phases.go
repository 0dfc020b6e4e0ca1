package main

import (
	"fmt"
	"sync"
)

func main() {
	const n = 3
	var phase1, phase2 sync.WaitGroup
	phase1.Add(n)
	results := make([]int, n)
	doubled := make([]int, n)
	var all sync.WaitGroup
	for i := range n {
		all.Go(func() {
			results[i] = i + 1
			phase1.Done()
			phase1.Wait()
			sum := 0
			for _, r := range results {
				sum += r
			}
			doubled[i] = sum * results[i]
		})
	}
	all.Wait()
	phase2.Wait()
	fmt.Println(results, doubled)
}
