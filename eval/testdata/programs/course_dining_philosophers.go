package main

import (
	"fmt"
	"sync"
)

type fork struct{ sync.Mutex }

func philosopher(id int, left, right *fork, meals *[5]int, wg *sync.WaitGroup) {
	defer wg.Done()
	for range 3 {
		first, second := left, right
		if id == 4 {
			first, second = right, left
		}
		first.Lock()
		second.Lock()
		meals[id]++
		second.Unlock()
		first.Unlock()
	}
}

func main() {
	forks := make([]*fork, 5)
	for i := range forks {
		forks[i] = new(fork)
	}
	var meals [5]int
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go philosopher(i, forks[i], forks[(i+1)%5], &meals, &wg)
	}
	wg.Wait()
	fmt.Println("meals:", meals)
}
