// Go by Example-style: several small programs of one kind, pasted as one.
package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

type List[T any] struct {
	head, tail *element[T]
}

type element[T any] struct {
	next *element[T]
	val  T
}

func (lst *List[T]) Push(v T) {
	if lst.tail == nil {
		lst.head = &element[T]{val: v}
		lst.tail = lst.head
	} else {
		lst.tail.next = &element[T]{val: v}
		lst.tail = lst.tail.next
	}
}

func (lst *List[T]) AllElements() []T {
	var elems []T
	for e := lst.head; e != nil; e = e.next {
		elems = append(elems, e.val)
	}
	return elems
}

func (lst *List[T]) All() func(yield func(T) bool) {
	return func(yield func(T) bool) {
		for e := lst.head; e != nil; e = e.next {
			if !yield(e.val) {
				return
			}
		}
	}
}

func SlicesIndex[S ~[]E, E comparable](s S, v E) int {
	for i := range s {
		if v == s[i] {
			return i
		}
	}
	return -1
}

var ErrOutOfTea = fmt.Errorf("no more tea available")
var ErrPower = fmt.Errorf("can't boil water")

func makeTea(arg int) error {
	if arg == 2 {
		return ErrOutOfTea
	} else if arg == 4 {
		return fmt.Errorf("making tea: %w", ErrPower)
	}
	return nil
}

func main() {
	var s = []string{"foo", "bar", "zoo"}
	fmt.Println("index of zoo:", SlicesIndex(s, "zoo"))
	lst := List[int]{}
	lst.Push(10)
	lst.Push(13)
	lst.Push(23)
	fmt.Println("list:", lst.AllElements())
	for e := range lst.All() {
		fmt.Println(e)
	}
	all := slices.Collect(lst.All())
	fmt.Println("all:", all)
	for i := range 5 {
		if err := makeTea(i); err != nil {
			if errors.Is(err, ErrOutOfTea) {
				fmt.Println("We should buy new tea!")
			} else if errors.Is(err, ErrPower) {
				fmt.Println("Now it is dark.")
			} else {
				fmt.Printf("unknown error: %s\n", err)
			}
			continue
		}
		fmt.Println("Tea is ready!")
	}
	m := map[string]int{"k1": 7, "k2": 13}
	keys := slices.Sorted(maps.Keys(m))
	fmt.Println(keys, len(m))
	delete(m, "k2")
	_, prs := m["k2"]
	fmt.Println("prs:", prs)
	clear(m)
	fmt.Println(m)
	var once sync.Once
	for range 3 {
		once.Do(func() { fmt.Println("once") })
	}
	fmt.Println(strings.Repeat("ab", 3), strings.Fields(" a b  c "), strings.Split("a-b-c", "-"))
	p := fmt.Println
	p(time.Duration(90) * time.Second)
	defer p("deferred")
	if len(os.Args) > 5 {
		os.Exit(3)
	}
	var arr [5]int
	arr[4] = 100
	twoD := [2][3]int{{1, 2, 3}, {1, 2, 3}}
	fmt.Println(arr, len(arr), twoD)
	sl := make([]string, 3)
	sl = append(sl, "d", "e")
	c := make([]string, len(sl))
	copy(c, sl)
	fmt.Println(c[2:], len(c), slices.Equal(c, sl))
}
