package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Generic functions of the standard library used with the notebook's own
// types: slices and cmp helpers, composed with a generic of the program.

type city struct {
	Name string
	Pop  int
}

func Longest[T any](xs [][]T) []T {
	var best []T
	for _, x := range xs {
		if len(x) > len(best) {
			best = x
		}
	}
	return slices.Clone(best)
}

func main() {
	xs := []int{3, 3, 1, 1, 1, 2, 3, 3}
	fmt.Println(slices.Compact(slices.Clone(xs)))
	fmt.Println(slices.Concat([]int{1}, []int{2, 3}, nil, []int{4}))
	fmt.Println(slices.Delete([]string{"a", "b", "c", "d"}, 1, 3))
	fmt.Println(cmp.Or("", "fallback"), cmp.Or(0, 0, 7), cmp.Or[float64]())
	cs := []city{{"Lima", 10}, {"Quito", 3}, {"Bogota", 8}}
	fmt.Println(slices.CompactFunc([]string{"a", "A", "b"}, strings.EqualFold))
	fmt.Println(slices.EqualFunc(cs, []string{"Lima", "Quito", "Bogota"}, func(c city, n string) bool { return c.Name == n }))
	fmt.Println(slices.Grow([]city{}, 5) != nil, len(slices.Clip(make([]int, 2, 10))))
	fmt.Printf("%+v\n", Longest([][]city{cs[:1], cs}))
	byPop := map[int]city{}
	for _, c := range cs {
		byPop[c.Pop] = c
	}
	fmt.Println(slices.Sorted(maps.Keys(byPop)))
	fmt.Println(slices.ContainsFunc(cs, func(c city) bool { return c.Pop > 9 }), slices.IndexFunc(cs, func(c city) bool { return c.Pop < 5 }))
}
