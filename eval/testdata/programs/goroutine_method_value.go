// gomp:unordered
package main

import (
	"fmt"
	"sync"
)

type greeter struct{ name string }

func (g greeter) greet(wg *sync.WaitGroup) {
	defer wg.Done()
	fmt.Println("hello from", g.name)
}

func main() {
	var wg sync.WaitGroup
	for _, n := range []string{"uno", "dos", "tres"} {
		g := greeter{n}
		wg.Add(1)
		go g.greet(&wg)
	}
	wg.Wait()
}
