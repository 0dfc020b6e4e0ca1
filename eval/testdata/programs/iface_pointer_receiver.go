package main

import "fmt"

type Counter interface {
	Inc()
	Get() int
}

type count struct{ n int }

func (c *count) Inc()     { c.n++ }
func (c *count) Get() int { return c.n }

func bump(c Counter, times int) {
	for range times {
		c.Inc()
	}
}

func main() {
	c := &count{}
	bump(c, 3)
	fmt.Println(c.Get())
	var i Counter = c
	i.Inc()
	fmt.Println(c.n, i.Get())
}
