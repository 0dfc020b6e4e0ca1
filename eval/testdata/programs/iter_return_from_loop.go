package main

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
)

func words(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, w := range strings.Fields(s) {
			if !yield(w) {
				fmt.Println("  (words stopped at", w+")")
				return
			}
		}
	}
}

// first returns from inside the loop: the iterator stops, then first returns.
func first(seq iter.Seq[string], prefix string) (string, bool) {
	for w := range seq {
		if strings.HasPrefix(w, prefix) {
			return w, true
		}
	}
	return "", false
}

// count has named results and a bare return inside a nested loop.
func count(seq iter.Seq[string], stop string) (n int, letters int) {
	for w := range seq {
		for _, r := range w {
			if string(r) == stop {
				return
			}
			letters++
		}
		if len(w) < 3 {
			continue
		}
		n++
	}
	return n * 10, letters
}

func keyOf(m map[string]int, want int) string {
	for k, v := range maps.All(m) {
		if v == want {
			return strings.ToUpper(k)
		}
	}
	return "?"
}

func main() {
	fmt.Println(first(words("go is a fun language"), "fu"))
	fmt.Println(first(words("nothing here"), "zz"))
	fmt.Println(count(words("one to three"), "h"))
	fmt.Println(count(words("ab cde fgh"), "z"))
	fmt.Println(keyOf(map[string]int{"a": 1, "b": 2}, 2))
	fmt.Println(slices.Collect(words("x y")))
}
