package main

import (
	"fmt"
	"strings"
)

// Generic functions calling other generics, with explicit and inferred
// type arguments.

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

func Reduce[T, A any](xs []T, acc A, f func(A, T) A) A {
	for _, x := range xs {
		acc = f(acc, x)
	}
	return acc
}

// MapFilter uses two generics with its own type parameters.
func MapFilter[T, U any](xs []T, keep func(T) bool, f func(T) U) []U {
	return Map(Filter(xs, keep), f)
}

func Join[T fmt.Stringer](xs []T, sep string) string {
	parts := Map[T, string](xs, func(x T) string { return x.String() })
	return strings.Join(parts, sep)
}

type word string

type pair struct{ n, sq int }

func (w word) String() string { return strings.ToUpper(string(w)) }

func main() {
	nums := []int{1, 2, 3, 4, 5, 6, 7}
	odds := MapFilter(nums, func(n int) bool { return n%2 == 1 }, func(n int) float64 { return float64(n) / 2 })
	fmt.Println(odds)
	sum := Reduce(nums, 0, func(a, n int) int { return a + n })
	longest := Reduce([]string{"go", "gopher", "gc"}, "", func(a, s string) string {
		if len(s) > len(a) {
			return s
		}
		return a
	})
	fmt.Println(sum, longest)
	fmt.Println(Join([]word{"a", "b", "c"}, "-"))
	fmt.Printf("%T %v\n", odds, Map(nums[:3], func(n int) pair { return pair{n, n * n} }))
}
