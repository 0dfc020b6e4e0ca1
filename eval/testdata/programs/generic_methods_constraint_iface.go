package main

import (
	"fmt"
	"strings"
)

type Stringish interface {
	~string
	Len() int
}

type Word string

func (w Word) Len() int { return len(w) }

func Longest[T Stringish](xs []T) T {
	var best T
	for _, x := range xs {
		if x.Len() > best.Len() {
			best = x
		}
	}
	return best
}

func JoinAll[T fmt.Stringer](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = x.String()
	}
	return strings.Join(parts, "+")
}

type num int

func (n num) String() string { return fmt.Sprintf("#%d", int(n)) }

func main() {
	fmt.Println(Longest([]Word{"go", "gopher", "golang"}))
	fmt.Println(JoinAll([]num{1, 2, 3}))
}
