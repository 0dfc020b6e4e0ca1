package main

import (
	"fmt"
	"maps"
)

func main() {
	groups := map[bool][]int{}
	for i := range 7 {
		groups[i%2 == 0] = append(groups[i%2 == 0], i)
	}
	fmt.Println(groups)
	cp := maps.Clone(groups)
	clear(groups)
	fmt.Println(len(groups), len(cp))
	fmt.Println(maps.Equal(map[int]int{1: 1}, map[int]int{1: 1}))
	m := map[string]int{"a": 1, "b": 2, "c": 3}
	maps.DeleteFunc(m, func(k string, v int) bool { return v%2 == 1 })
	fmt.Println(m)
}
