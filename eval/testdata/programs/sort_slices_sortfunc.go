package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

type emp struct {
	Name string
	Dept string
	Pay  int
}

func main() {
	es := []emp{{"ana", "ops", 50}, {"bo", "dev", 70}, {"cy", "dev", 60}, {"di", "ops", 50}}
	slices.SortFunc(es, func(a, b emp) int {
		return cmp.Or(cmp.Compare(a.Dept, b.Dept), -cmp.Compare(a.Pay, b.Pay), strings.Compare(a.Name, b.Name))
	})
	for _, e := range es {
		fmt.Printf("%+v\n", e)
	}
	words := []string{"banana", "kiwi", "apple", "fig"}
	slices.SortStableFunc(words, func(a, b string) int { return cmp.Compare(len(a), len(b)) })
	fmt.Println(words)
	fmt.Println(cmp.Compare(2, 1), cmp.Less("a", "b"), cmp.Compare(1.5, 1.5))
}
