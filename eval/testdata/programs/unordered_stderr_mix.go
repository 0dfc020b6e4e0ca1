// gomp:unordered
package main

import (
	"fmt"
	"os"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if i%2 == 0 {
				fmt.Fprintln(os.Stderr, "even", i)
			} else {
				fmt.Println("odd", i)
			}
		})
	}
	wg.Wait()
}
