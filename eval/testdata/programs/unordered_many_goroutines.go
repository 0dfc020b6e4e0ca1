// gomp:unordered
package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			fmt.Printf("goroutine %02d squared %d\n", i, i*i)
		})
	}
	wg.Wait()
}
