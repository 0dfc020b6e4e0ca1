package main

import (
	"fmt"
	"sort"
	"sync"
)

func main() {
	var m sync.Map
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() { m.Store(i, fmt.Sprint("v", i)) })
	}
	wg.Wait()
	v, ok := m.Load(3)
	fmt.Println(v, ok)
	actual, loaded := m.LoadOrStore(3, "other")
	fmt.Println(actual, loaded)
	var keys []int
	m.Range(func(k, _ any) bool {
		keys = append(keys, k.(int))
		return true
	})
	sort.Ints(keys)
	fmt.Println(keys)
}
