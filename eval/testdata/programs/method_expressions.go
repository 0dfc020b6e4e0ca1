package main

import (
	"fmt"
	"sort"
	"strings"
)

type Counter struct{ n int }

func (c *Counter) Add(ks ...int) {
	for _, k := range ks {
		c.n += k
	}
}

func (c Counter) Get() int { return c.n }

func (c Counter) Split(parts int) (int, int) { return c.n / parts, c.n % parts }

type Shape interface{ Area() float64 }

type Sq float64

func (s Sq) Area() float64 { return float64(s * s) }

func main() {
	var c Counter
	add := (*Counter).Add
	add(&c, 1, 2, 3)
	add(&c)
	get := Counter.Get
	fmt.Println(get(c))
	fmt.Println(Counter.Split(c, 4))
	area := Shape.Area
	fmt.Println(area(Sq(3)))
	upper := strings.ToUpper
	build := (*strings.Builder).WriteString
	var b strings.Builder
	build(&b, upper("method "))
	build(&b, "values")
	fmt.Println(b.String())
	fs := []func(Counter) int{Counter.Get}
	fmt.Println(fs[0](Counter{7}))
	xs := []int{3, 1, 2}
	sort.Sort(sort.IntSlice(xs))
	fmt.Println(xs, sort.IntSlice.Len(xs))
}
