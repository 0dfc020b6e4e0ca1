package main

import (
	"fmt"
	"unicode/utf8"
)

func main() {
	s := "año 🐹 go"
	fmt.Println(len(s), utf8.RuneCountInString(s))
	for i, r := range s {
		fmt.Printf("%d:%c(%d) ", i, r, utf8.RuneLen(r))
	}
	fmt.Println()
	fmt.Println(s[1], s[0:1], string(s[1]))
	rs := []rune(s)
	fmt.Println(len(rs), string(rs[1]), string(rs[4:5]))
	fmt.Println(utf8.ValidString("\xff"), string(rune(0x4e16)))
	bad := "a\xffb"
	for _, r := range bad {
		fmt.Printf("%q ", r)
	}
	fmt.Println()
}
