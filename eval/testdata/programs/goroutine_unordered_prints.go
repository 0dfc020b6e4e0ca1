// gomp:unordered
package main

import (
	"fmt"
	"sync"
)

func say(wg *sync.WaitGroup, who string, times int) {
	defer wg.Done()
	for i := range times {
		fmt.Printf("%s %d\n", who, i)
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(3)
	go say(&wg, "ana", 3)
	go say(&wg, "bo", 2)
	go say(&wg, "cy", 1)
	wg.Wait()
	fmt.Println("done")
}
