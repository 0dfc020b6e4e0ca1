package main

import (
	"fmt"
	"maps"
	"slices"
)

func main() {
	xs := []string{"c", "a", "b"}
	for v := range slices.Values(xs) {
		fmt.Print(v)
	}
	fmt.Println()
	for i, v := range slices.All(xs) {
		fmt.Print(i, v, " ")
	}
	fmt.Println()
	m := map[string]int{"z": 26, "a": 1, "m": 13}
	keys := slices.Sorted(maps.Keys(m))
	fmt.Println(keys)
	vals := slices.Collect(maps.Values(m))
	slices.Sort(vals)
	fmt.Println(vals)
	for i, v := range slices.Backward([]int{1, 2, 3}) {
		fmt.Print(i, "=", v, " ")
	}
	fmt.Println()
}
