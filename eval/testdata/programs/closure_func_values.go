package main

import (
	"fmt"
	"strings"
)

type op func(int, int) int

func apply(f op, a, b int) int { return f(a, b) }

func compose(f, g func(string) string) func(string) string {
	return func(s string) string { return g(f(s)) }
}

func main() {
	ops := map[string]op{
		"add": func(a, b int) int { return a + b },
		"mul": func(a, b int) int { return a * b },
	}
	fmt.Println(apply(ops["add"], 3, 4), apply(ops["mul"], 3, 4))
	shout := compose(strings.TrimSpace, strings.ToUpper)
	fmt.Printf("%q\n", shout("  hola  "))
	var nilFunc func()
	fmt.Println(nilFunc == nil)
}
