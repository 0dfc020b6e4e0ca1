package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	queue := []int{}
	done := make(chan bool)
	go func() {
		total := 0
		for n := 0; n < 5; n++ {
			mu.Lock()
			for len(queue) == 0 {
				cond.Wait()
			}
			total += queue[0]
			queue = queue[1:]
			mu.Unlock()
		}
		fmt.Println("total", total)
		done <- true
	}()
	for i := 1; i <= 5; i++ {
		mu.Lock()
		queue = append(queue, i)
		cond.Signal()
		mu.Unlock()
	}
	<-done
}
