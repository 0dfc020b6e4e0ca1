package main

import "fmt"

func Reduce[T, A any](xs []T, init A, f func(A, T) A) A {
	acc := init
	for _, x := range xs {
		acc = f(acc, x)
	}
	return acc
}

type Ordered interface {
	~int | ~string | ~float64
}

func MaxOf[T Ordered](xs []T) T {
	m := xs[0]
	for _, x := range xs[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

func main() {
	words := []string{"go", "is", "fun"}
	total := Reduce(words, 0, func(n int, s string) int { return n + len(s) })
	fmt.Println(total)
	fmt.Println(MaxOf([]int{3, 9, 2}), MaxOf([]string{"pear", "apple"}))
	joined := Reduce([]int{1, 2, 3}, "", func(s string, n int) string { return s + fmt.Sprint(n) })
	fmt.Printf("%q\n", joined)
}
