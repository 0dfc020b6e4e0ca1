package main

import "fmt"

func main() {
	ages := map[string]int{"ana": 30, "bo": 25}
	ages["cy"] = 41
	delete(ages, "bo")
	v, ok := ages["bo"]
	fmt.Println(v, ok, len(ages))
	fmt.Println(ages)
	counts := map[rune]int{}
	for _, r := range "banana" {
		counts[r]++
	}
	fmt.Println(counts)
	type key struct{ x, y int }
	grid := map[key]string{{0, 0}: "origin", {1, 0}: "east"}
	fmt.Println(grid[key{1, 0}], grid)
}
