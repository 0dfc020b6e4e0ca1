package main

import (
	"cmp"
	"fmt"
)

// A generic sort and search on cmp.Ordered, with a named slice type, a
// generic min/max pair, and sorting by a key function.

func InsertionSort[T cmp.Ordered](xs []T) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

func SortBy[T any, K cmp.Ordered](xs []T, key func(T) K) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && key(xs[j]) < key(xs[j-1]); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

func Search[T cmp.Ordered](xs []T, x T) (int, bool) {
	lo, hi := 0, len(xs)
	for lo < hi {
		mid := (lo + hi) / 2
		if xs[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(xs) && xs[lo] == x
}

type MinMax[T cmp.Ordered] struct{ Min, Max T }

func Bounds[T cmp.Ordered](xs ...T) MinMax[T] {
	m := MinMax[T]{xs[0], xs[0]}
	for _, x := range xs[1:] {
		m.Min = min(m.Min, x)
		m.Max = max(m.Max, x)
	}
	return m
}

type Scores []float64

type player struct {
	name  string
	score int
}

func main() {
	xs := []int{5, 2, 9, 1, 5, 6}
	InsertionSort(xs)
	fmt.Println(xs)
	fmt.Println(Search(xs, 5))
	fmt.Println(Search(xs, 7))
	s := Scores{2.5, -1, 3.25}
	InsertionSort(s)
	fmt.Println(s)
	words := []string{"pear", "fig", "banana"}
	InsertionSort(words)
	fmt.Println(words)
	ps := []player{{"ana", 30}, {"bo", 10}, {"cy", 20}}
	SortBy(ps, func(p player) int { return p.score })
	fmt.Printf("%+v\n", ps)
	SortBy(ps, func(p player) string { return p.name })
	fmt.Println(ps)
	fmt.Printf("%+v %v %T\n", Bounds(3, 1, 4, 1, 5), Bounds("b", "a"), Bounds(1.5))
}
