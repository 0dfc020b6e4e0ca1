package main

import (
	"fmt"
	"sync"
)

// Generic pipelines: channels of T, a generic worker pool, and a generic
// result type sent over a channel.

type Result[T any] struct {
	ID  int
	Val T
	Err error
}

func Generate[T any](xs ...T) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		for _, x := range xs {
			out <- x
		}
	}()
	return out
}

func Pool[T, U any](in <-chan T, workers int, f func(T) U) []Result[U] {
	results := make(chan Result[U])
	var wg sync.WaitGroup
	ids := make(chan int, 100)
	for i := range 100 {
		ids <- i
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := range in {
				results <- Result[U]{ID: <-ids, Val: f(x)}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var out []Result[U]
	for r := range results {
		out = append(out, r)
	}
	return out
}

func Collect[T any](in <-chan T) []T {
	var out []T
	for v := range in {
		out = append(out, v)
	}
	return out
}

func main() {
	fmt.Println(Collect(Generate("a", "b", "c")))
	rs := Pool(Generate(1, 2, 3, 4), 3, func(n int) int { return n * n })
	total := 0
	for _, r := range rs {
		total += r.Val
	}
	fmt.Println(len(rs), total)
	fmt.Printf("%T\n", rs)
	done := make(chan Result[string], 1)
	done <- Result[string]{ID: 1, Val: "ok"}
	fmt.Printf("%+v\n", <-done)
}
