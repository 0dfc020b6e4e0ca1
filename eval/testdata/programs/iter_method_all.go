package main

import (
	"fmt"
	"iter"
	"strings"
)

type Bag struct{ items []string }

func (b *Bag) Add(s ...string) { b.items = append(b.items, s...) }

func (b *Bag) All() iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, it := range b.items {
			if !yield(it) {
				return
			}
		}
	}
}

func main() {
	var b Bag
	b.Add("pan", "leche", "huevos")
	var up []string
	for s := range b.All() {
		up = append(up, strings.ToUpper(s))
	}
	fmt.Println(strings.Join(up, ","))
	for line := range strings.SplitSeq("a-b-c", "-") {
		fmt.Print("[", line, "]")
	}
	fmt.Println()
}
