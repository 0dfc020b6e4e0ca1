package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var hits atomic.Int64
	var old int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 250 {
				hits.Add(1)
				atomic.AddInt32(&old, 2)
			}
		})
	}
	wg.Wait()
	fmt.Println(hits.Load(), atomic.LoadInt32(&old))
	var flag atomic.Bool
	fmt.Println(flag.CompareAndSwap(false, true), flag.CompareAndSwap(false, true), flag.Load())
	var v atomic.Value
	v.Store("first")
	fmt.Println(v.Load().(string))
}
