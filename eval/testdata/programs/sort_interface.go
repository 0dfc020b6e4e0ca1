package main

import (
	"fmt"
	"sort"
)

type byLen []string

func (s byLen) Len() int           { return len(s) }
func (s byLen) Less(i, j int) bool { return len(s[i]) < len(s[j]) }
func (s byLen) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }

func main() {
	fruits := byLen{"peach", "banana", "kiwi"}
	sort.Sort(fruits)
	fmt.Println(fruits)
	fmt.Println(sort.IsSorted(fruits))
}
