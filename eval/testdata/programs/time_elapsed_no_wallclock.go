package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(2 * time.Millisecond)
	elapsed := time.Since(start)
	fmt.Println("slept at least 2ms:", elapsed >= 2*time.Millisecond)
	deadline := start.Add(time.Hour)
	fmt.Println("deadline ahead:", time.Until(deadline) > 0)
	fmt.Println(elapsed.Round(time.Hour))
}
