package main

import (
	"fmt"
	"sync"
)

// A generic concurrent queue guarded by a mutex, shared by goroutines, with
// a generic type embedding a generic type.

type Queue[T any] struct {
	mu    sync.Mutex
	items []T
}

func (q *Queue[T]) Push(v T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, v)
}

func (q *Queue[T]) Drain() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	q.items = nil
	return out
}

type Counted[T any] struct {
	Queue[T]
	pushes int
}

func (c *Counted[T]) Add(v T) {
	c.Push(v)
	c.pushes++
}

type job struct {
	id   int
	name string
}

func main() {
	var q Queue[int]
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.Push(i * i)
		}()
	}
	wg.Wait()
	sum := 0
	for _, v := range q.Drain() {
		sum += v
	}
	fmt.Println(sum, len(q.Drain()))
	var c Counted[job]
	c.Add(job{1, "build"})
	c.Add(job{2, "test"})
	fmt.Printf("%d %+v\n", c.pushes, c.Drain())
	fmt.Printf("%T\n", c.Queue.items)
}
