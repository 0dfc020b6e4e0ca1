package main

import (
	"fmt"
	"sort"
)

// Generic types as map values and keys, and generic functions over maps.

type Point[T int | float64] struct{ X, Y T }

func (p Point[T]) Add(q Point[T]) Point[T] { return Point[T]{p.X + q.X, p.Y + q.Y} }

type Set[T comparable] map[T]struct{}

func (s Set[T]) Add(v T)      { s[v] = struct{}{} }
func (s Set[T]) Has(v T) bool { _, ok := s[v]; return ok }
func SetOf[T comparable](vs ...T) Set[T] {
	s := Set[T]{}
	for _, v := range vs {
		s.Add(v)
	}
	return s
}

func Keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func GroupBy[T any, K comparable](xs []T, key func(T) K) map[K][]T {
	out := map[K][]T{}
	for _, x := range xs {
		k := key(x)
		out[k] = append(out[k], x)
	}
	return out
}

func main() {
	moves := map[string]Point[int]{"up": {0, 1}, "right": {1, 0}}
	pos := Point[int]{}
	for _, k := range []string{"up", "up", "right"} {
		pos = pos.Add(moves[k])
	}
	fmt.Printf("%v %+v %T\n", pos, pos, pos)
	seen := map[Point[float64]]bool{{0.5, 1}: true}
	fmt.Println(seen[Point[float64]{0.5, 1}], seen[Point[float64]{}])
	s := SetOf("a", "b", "a")
	fmt.Println(len(s), s.Has("a"), s.Has("z"))
	ks := Keys(map[int]string{3: "c", 1: "a", 2: "b"})
	sort.Ints(ks)
	fmt.Println(ks)
	groups := GroupBy([]string{"ant", "bee", "ape", "cat", "bat"}, func(s string) byte { return s[0] })
	for _, k := range []byte("abc") {
		fmt.Println(string(k), groups[k])
	}
	fmt.Printf("%T\n", groups)
}
