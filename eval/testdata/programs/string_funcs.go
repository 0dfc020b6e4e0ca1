package main

import (
	"fmt"
	"strings"
)

func main() {
	s := "  Go es divertido, Go es rápido  "
	t := strings.TrimSpace(s)
	fmt.Printf("%q\n", t)
	fmt.Println(strings.Count(t, "Go"), strings.Index(t, "es"), strings.LastIndex(t, "es"))
	fmt.Println(strings.Split("a,b,,c", ","), len(strings.Split("a,b,,c", ",")))
	fmt.Println(strings.Fields(" a  b c "))
	fmt.Println(strings.ReplaceAll(t, "Go", "Rust"), strings.Replace(t, "es", "ES", 1))
	fmt.Println(strings.HasPrefix(t, "Go"), strings.HasSuffix(t, "!"), strings.Contains(t, "dive"))
	before, after, found := strings.Cut("key=value=x", "=")
	fmt.Println(before, after, found)
	fmt.Println(strings.EqualFold("HoLa", "hola"), strings.Join([]string{"x", "y"}, " | "))
	fmt.Println(strings.Map(func(r rune) rune {
		if r == 'a' {
			return 'A'
		}
		return r
	}, "banana"))
}
