// gomp:unordered
package main

import (
	"fmt"
	"time"
)

func ticker(name string, n int) <-chan string {
	c := make(chan string)
	go func() {
		defer close(c)
		for i := range n {
			c <- fmt.Sprintf("%s tick %d", name, i)
		}
	}()
	return c
}

func main() {
	a, b := ticker("a", 3), ticker("b", 3)
	timeout := time.After(5 * time.Second)
	for a != nil || b != nil {
		select {
		case m, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			fmt.Println(m)
		case m, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			fmt.Println(m)
		case <-timeout:
			fmt.Println("timeout")
			return
		}
	}
}
