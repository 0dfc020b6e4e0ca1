package main

import (
	"fmt"
	"slices"
)

func main() {
	xs := []int{5, 2, 8, 1, 9, 2}
	slices.Sort(xs)
	fmt.Println(xs)
	fmt.Println(slices.Contains(xs, 8), slices.Index(xs, 2), slices.Index(xs, 7))
	i, found := slices.BinarySearch(xs, 8)
	fmt.Println(i, found)
	fmt.Println(slices.Max(xs), slices.Min(xs))
	ys := slices.Clone(xs)
	slices.Reverse(ys)
	fmt.Println(ys, xs)
	fmt.Println(slices.Equal(xs, ys), slices.Compact(slices.Clone(xs)))
	zs := slices.Insert([]string{"a", "d"}, 1, "b", "c")
	fmt.Println(zs, slices.Delete(slices.Clone(zs), 0, 2))
	fmt.Println(slices.IndexFunc(zs, func(s string) bool { return s > "b" }))
}
