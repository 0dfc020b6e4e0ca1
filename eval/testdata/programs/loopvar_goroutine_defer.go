// gomp:unordered
package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer fmt.Println("goroutine", i, "leaving")
			fmt.Println("goroutine", i, "working")
		}()
	}
	wg.Wait()
}
