package main

import (
	"fmt"
	"sort"
	"strings"
)

type Names []string

func (n *Names) Add(s string) { *n = append(*n, s) }
func (n Names) Sorted() Names {
	c := append(Names(nil), n...)
	sort.Strings(c)
	return c
}
func (n Names) String() string { return strings.Join(n, ", ") }

type Counts map[string]int

func (c Counts) Inc(k string) int { c[k]++; return c[k] }

func main() {
	var ns Names
	ns.Add("zoe")
	ns.Add("ana")
	fmt.Println(ns, "|", ns.Sorted(), "|", len(ns))
	c := Counts{}
	c.Inc("x")
	fmt.Println(c.Inc("x"), c)
}
