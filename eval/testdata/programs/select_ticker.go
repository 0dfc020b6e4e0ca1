package main

import (
	"fmt"
	"time"
)

func main() {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	n := 0
	for range tick.C {
		n++
		if n == 3 {
			break
		}
	}
	fmt.Println("ticks:", n)
	timer := time.NewTimer(time.Hour)
	fmt.Println("stopped before firing:", timer.Stop())
}
