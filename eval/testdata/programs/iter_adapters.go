package main

import (
	"fmt"
	"iter"
	"maps"
	"slices"
)

func Filter[T any](seq iter.Seq[T], keep func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range seq {
			if keep(v) && !yield(v) {
				return
			}
		}
	}
}

func MapSeq[T, U any](seq iter.Seq[T], f func(T) U) iter.Seq[U] {
	return func(yield func(U) bool) {
		for v := range seq {
			if !yield(f(v)) {
				return
			}
		}
	}
}

func main() {
	nums := slices.Values([]int{1, 2, 3, 4, 5, 6})
	evensSquared := MapSeq(Filter(nums, func(n int) bool { return n%2 == 0 }), func(n int) int { return n * n })
	fmt.Println(slices.Collect(evensSquared))
	stock := map[string]int{"pan": 3, "leche": 0, "huevos": 12}
	total := 0
	for _, v := range maps.All(stock) {
		total += v
	}
	fmt.Println(total)
	inStock := slices.Sorted(Filter(maps.Keys(stock), func(k string) bool { return stock[k] > 0 }))
	fmt.Println(inStock)
}
