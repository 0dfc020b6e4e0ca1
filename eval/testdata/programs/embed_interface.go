package main

import (
	"fmt"
	"strings"
)

type Reader interface{ Read() string }
type Writer interface{ Write(s string) }
type ReadWriter interface {
	Reader
	Writer
}

type buffer struct{ parts []string }

func (b *buffer) Write(s string) { b.parts = append(b.parts, s) }
func (b *buffer) Read() string   { return strings.Join(b.parts, "") }

type loud struct {
	ReadWriter
}

func (l loud) Write(s string) { l.ReadWriter.Write(strings.ToUpper(s)) }

func main() {
	var rw ReadWriter = &buffer{}
	rw.Write("hola ")
	l := loud{rw}
	l.Write("mundo")
	fmt.Println(l.Read())
}
