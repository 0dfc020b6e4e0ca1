package main

import (
	"fmt"
	"slices"
)

type point struct{ X, Y int }

func main() {
	fs := []float64{1.5, 4}
	fs = slices.Insert(fs, 1, 2, 3.25)
	fmt.Println(fs, len(fs))
	ps := slices.Insert([]point{{1, 1}}, 0, point{0, 0})
	fmt.Println(ps)
	names := slices.Insert([]string(nil), 0, "ana")
	fmt.Println(names, slices.Insert(names, len(names)))
	room := make([]int, 3, 10)
	grown := slices.Insert(room, 1, 7, 8)
	room = room[:5]
	fmt.Println(grown, room, len(grown), cap(grown))
	i, found := slices.BinarySearch([]int{1, 3, 5}, 4)
	fmt.Println(i, found)
	defer func() { fmt.Println("recovered:", recover() != nil) }()
	slices.Insert([]int{1}, 3, 9)
}
