package main

import (
	"fmt"
	"sync"
)

var wg sync.WaitGroup
var mu sync.Mutex
var total int

func add(n int) {
	defer wg.Done()
	mu.Lock()
	defer mu.Unlock()
	total += n
}

func main() {
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		go add(i)
	}
	wg.Wait()
	fmt.Println("total", total)
}
