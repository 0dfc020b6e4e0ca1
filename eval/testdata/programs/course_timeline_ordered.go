package main

import (
	"fmt"
	"strings"
	"sync"
)

type event struct {
	who  string
	step int
}

func main() {
	var mu sync.Mutex
	var log []event
	record := func(who string, step int) {
		mu.Lock()
		log = append(log, event{who, step})
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for _, who := range []string{"A", "B", "C"} {
		wg.Go(func() {
			for s := range 3 {
				record(who, s)
			}
		})
	}
	wg.Wait()
	perWho := map[string][]int{}
	for _, e := range log {
		perWho[e.who] = append(perWho[e.who], e.step)
	}
	fmt.Println(perWho)
	fmt.Println(strings.Repeat("=", 10), len(log))
}
