package main

import (
	"fmt"
	"strings"
)

type Handler interface{ Handle(string) string }

type HandlerFunc func(string) string

func (f HandlerFunc) Handle(s string) string { return f(s) }

func chain(hs ...Handler) Handler {
	return HandlerFunc(func(s string) string {
		for _, h := range hs {
			s = h.Handle(s)
		}
		return s
	})
}

func main() {
	h := chain(HandlerFunc(strings.TrimSpace), HandlerFunc(strings.ToUpper), HandlerFunc(func(s string) string { return "<" + s + ">" }))
	fmt.Println(h.Handle("  hola  "))
	fmt.Printf("%T\n", h)
}
