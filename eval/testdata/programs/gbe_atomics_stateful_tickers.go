// Go by Example-style: several small programs of one kind, pasted as one.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

type readOp struct {
	key  int
	resp chan int
}

func main() {
	var ops atomic.Uint64
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				ops.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Println("ops:", ops.Load())

	reads := make(chan readOp)
	go func() {
		state := map[int]int{1: 10}
		for r := range reads {
			r.resp <- state[r.key]
		}
	}()
	r := readOp{key: 1, resp: make(chan int)}
	reads <- r
	fmt.Println(<-r.resp)
	close(reads)

	ticker := time.NewTicker(20 * time.Millisecond)
	done := make(chan bool)
	n := 0
	go func() {
		time.Sleep(110 * time.Millisecond)
		done <- true
	}()
loop:
	for {
		select {
		case <-done:
			break loop
		case <-ticker.C:
			n++
		}
	}
	ticker.Stop()
	fmt.Println("ticked:", n >= 1)
	timer := time.NewTimer(time.Hour)
	fmt.Println("stopped:", timer.Stop())
	var c atomic.Int64
	c.Store(5)
	c.CompareAndSwap(5, 8)
	fmt.Println(c.Load())
}
