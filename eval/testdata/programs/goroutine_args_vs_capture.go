package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	byArg := map[int]bool{}
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			mu.Lock()
			byArg[n] = true
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	fmt.Println(len(byArg), byArg)
	x := 1
	done := make(chan bool)
	go func() {
		x = 2
		done <- true
	}()
	<-done
	fmt.Println("captured variable changed:", x)
}
