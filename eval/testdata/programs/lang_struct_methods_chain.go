package main

import (
	"fmt"
	"strings"
)

type Builder struct {
	parts []string
	sep   string
}

func NewBuilder() *Builder { return &Builder{sep: " "} }

func (b *Builder) Add(s string) *Builder {
	b.parts = append(b.parts, s)
	return b
}

func (b *Builder) Sep(s string) *Builder {
	b.sep = s
	return b
}

func (b *Builder) String() string { return strings.Join(b.parts, b.sep) }

func main() {
	b := NewBuilder().Add("uno").Add("dos").Sep("-").Add("tres")
	fmt.Println(b)
	fmt.Println(b.String() == "uno-dos-tres")
}
