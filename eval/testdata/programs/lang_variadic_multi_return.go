package main

import (
	"fmt"
	"strings"
)

func sum(label string, nums ...int) (string, int) {
	t := 0
	for _, n := range nums {
		t += n
	}
	return strings.ToUpper(label), t
}

func divmod(a, b int) (q, r int) {
	q = a / b
	r = a % b
	return
}

func swap(a, b string) (string, string) { return b, a }

func main() {
	fmt.Println(sum("total", 1, 2, 3))
	xs := []int{4, 5}
	l, t := sum("slice", xs...)
	fmt.Println(l, t)
	fmt.Println(sum("none"))
	q, r := divmod(17, 5)
	fmt.Println(q, r)
	fmt.Println(swap("x", "y"))
	_, second := swap("a", "b")
	fmt.Println(second)
}
