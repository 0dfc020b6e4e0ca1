package main

import (
	"fmt"
	"time"
)

func drain(c <-chan int, quit <-chan struct{}) (sum int) {
loop:
	for {
		select {
		case v, ok := <-c:
			if !ok {
				break loop
			}
			sum += v
		case <-quit:
			break loop
		}
	}
	return sum
}

func main() {
	c := make(chan int, 5)
	for i := 1; i <= 4; i++ {
		c <- i
	}
	close(c)
	fmt.Println("sum:", drain(c, nil))

	quit := make(chan struct{})
	close(quit)
	fmt.Println("quit:", drain(make(chan int), quit))

	done := make(chan bool)
	go func() {
		time.Sleep(30 * time.Millisecond)
		done <- true
	}()
	ticks := 0
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-tick.C:
			ticks++
			if ticks > 1000 {
				break wait
			}
		}
	}
	fmt.Println("ticked:", ticks > 0)

	n := 0
outer:
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			select {
			case <-quit:
				if j == 1 {
					continue outer
				}
				if i == 2 {
					break outer
				}
				n++
			}
		}
	}
	fmt.Println("n:", n)
}
