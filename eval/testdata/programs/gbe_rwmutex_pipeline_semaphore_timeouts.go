// Go by Example-style: several small programs of one kind, pasted as one.
package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

type SafeCounter struct {
	sync.RWMutex
	v map[string]int
}

func (c *SafeCounter) Inc(key string) {
	c.Lock()
	c.v[key]++
	c.Unlock()
}

func (c *SafeCounter) Value(key string) int {
	c.RLock()
	defer c.RUnlock()
	return c.v[key]
}

func gen(ctx context.Context) <-chan int {
	dst := make(chan int)
	n := 1
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case dst <- n:
				n++
			}
		}
	}()
	return dst
}

func sq[T int | float64](in <-chan T) <-chan T {
	out := make(chan T)
	go func() {
		for n := range in {
			out <- n * n
		}
		close(out)
	}()
	return out
}

func main() {
	c := SafeCounter{v: make(map[string]int)}
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Inc("somekey")
		}()
	}
	wg.Wait()
	fmt.Println(c.Value("somekey"))

	ctx, cancel := context.WithCancel(context.Background())
	for n := range gen(ctx) {
		fmt.Println(n)
		if n == 3 {
			break
		}
	}
	cancel()

	in := make(chan int)
	go func() {
		for i := 1; i <= 3; i++ {
			in <- i
		}
		close(in)
	}()
	for v := range sq(in) {
		fmt.Println("sq", v)
	}

	sem := make(chan struct{}, 2)
	var mu sync.Mutex
	var order []int
	var wg2 sync.WaitGroup
	for i := range 5 {
		wg2.Add(1)
		go func(id int) {
			defer wg2.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			mu.Lock()
			order = append(order, id)
			mu.Unlock()
		}(i)
	}
	wg2.Wait()
	sort.Ints(order)
	fmt.Println(order)

	c1 := make(chan string, 1)
	go func() {
		time.Sleep(200 * time.Millisecond)
		c1 <- "result 1"
	}()
	select {
	case res := <-c1:
		fmt.Println(res)
	case <-time.After(20 * time.Millisecond):
		fmt.Println("timeout 1")
	}
	requests := make(chan int, 3)
	for i := 1; i <= 3; i++ {
		requests <- i
	}
	close(requests)
	limiter := time.Tick(5 * time.Millisecond)
	for req := range requests {
		<-limiter
		fmt.Println("request", req)
	}
	results := make(chan chan int, 2)
	go func() {
		for r := range results {
			r <- 42
		}
	}()
	reply := make(chan int)
	results <- reply
	fmt.Println(<-reply)
	close(results)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	<-ctx2.Done()
	fmt.Println(ctx2.Err(), context.Cause(ctx2))
}
