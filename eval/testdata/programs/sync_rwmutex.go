package main

import (
	"fmt"
	"sync"
)

type cache struct {
	mu   sync.RWMutex
	data map[int]int
}

func (c *cache) get(k int) (int, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.data[k]
	return v, ok
}

func (c *cache) put(k, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data[k] = v
}

func main() {
	c := &cache{data: map[int]int{}}
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() { c.put(i, i*i) })
	}
	wg.Wait()
	var readers sync.WaitGroup
	hits := make([]bool, 20)
	for i := range 20 {
		readers.Go(func() { _, hits[i] = c.get(i) })
	}
	readers.Wait()
	n := 0
	for _, h := range hits {
		if h {
			n++
		}
	}
	v, _ := c.get(7)
	fmt.Println("hits", n, "c[7] =", v)
}
