package main

import (
	"fmt"
	"sync"
)

type Inventory struct {
	sync.Mutex
	items map[string]int
}

func (inv *Inventory) Add(name string, n int) {
	inv.Lock()
	defer inv.Unlock()
	inv.items[name] += n
}

func main() {
	inv := &Inventory{items: map[string]int{}}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { inv.Add([]string{"apple", "pear"}[i%2], 1) })
	}
	wg.Wait()
	fmt.Println(inv.items)
}
