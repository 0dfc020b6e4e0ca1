package main

import (
	"fmt"
	"strconv"
)

func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func Filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func main() {
	nums := []int{1, 2, 3, 4, 5, 6}
	strs := Map(nums, func(n int) string { return strconv.Itoa(n * 10) })
	fmt.Printf("%q\n", strs)
	evens := Filter(nums, func(n int) bool { return n%2 == 0 })
	fmt.Println(evens)
}
