package main

import (
	"cmp"
	"fmt"
	"strings"
)

// A recursive generic type (a binary search tree) whose methods call
// each other and a generic helper.

type Tree[T cmp.Ordered] struct {
	root *treeNode[T]
	size int
}

type treeNode[T cmp.Ordered] struct {
	val         T
	left, right *treeNode[T]
}

func (t *Tree[T]) Insert(v T) bool {
	if insert(&t.root, v) {
		t.size++
		return true
	}
	return false
}

func insert[T cmp.Ordered](n **treeNode[T], v T) bool {
	if *n == nil {
		*n = &treeNode[T]{val: v}
		return true
	}
	switch {
	case v < (*n).val:
		return insert(&(*n).left, v)
	case v > (*n).val:
		return insert(&(*n).right, v)
	}
	return false
}

func (t *Tree[T]) InOrder() []T {
	var out []T
	var walk func(n *treeNode[T])
	walk = func(n *treeNode[T]) {
		if n == nil {
			return
		}
		walk(n.left)
		out = append(out, n.val)
		walk(n.right)
	}
	walk(t.root)
	return out
}

func (t *Tree[T]) Height() int { return height(t.root) }

func height[T cmp.Ordered](n *treeNode[T]) int {
	if n == nil {
		return 0
	}
	return 1 + max(height(n.left), height(n.right))
}

func main() {
	var ints Tree[int]
	for _, v := range []int{5, 3, 8, 1, 4, 8, 9} {
		ints.Insert(v)
	}
	fmt.Println(ints.InOrder(), ints.size, ints.Height())
	words := &Tree[string]{}
	for _, w := range strings.Fields("the quick brown fox jumps over the lazy dog") {
		words.Insert(w)
	}
	fmt.Println(words.InOrder(), words.size)
	fmt.Printf("%T %T\n", ints, words)
}
