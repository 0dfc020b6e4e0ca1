package main

import (
	"fmt"
	"slices"
)

func Generate[T any](xs ...T) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		for _, x := range xs {
			out <- x
		}
	}()
	return out
}

func MapChan[T, U any](in <-chan T, f func(T) U) <-chan U {
	out := make(chan U)
	go func() {
		defer close(out)
		for v := range in {
			out <- f(v)
		}
	}()
	return out
}

func Collect[T any](in <-chan T) []T {
	var xs []T
	for v := range in {
		xs = append(xs, v)
	}
	return xs
}

func main() {
	lens := Collect(MapChan(Generate("a", "bb", "ccc"), func(s string) int { return len(s) }))
	fmt.Println(lens, slices.Max(lens))
	words := Collect(MapChan(Generate(1, 2, 3), func(n int) string { return fmt.Sprint(n, "!") }))
	fmt.Printf("%q\n", words)
}
