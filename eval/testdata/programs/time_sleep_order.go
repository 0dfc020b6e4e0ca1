package main

import (
	"fmt"
	"time"
)

func main() {
	ch := make(chan string, 3)
	for _, d := range []int{30, 10, 20} {
		go func() {
			time.Sleep(time.Duration(d) * time.Millisecond)
			ch <- fmt.Sprint(d, "ms")
		}()
	}
	got := map[string]bool{}
	for range 3 {
		got[<-ch] = true
	}
	fmt.Println(got)
}
