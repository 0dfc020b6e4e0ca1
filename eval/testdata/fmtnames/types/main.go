// A program whose body eval's fmtnames_test.go runs as a cell, comparing
// what it prints with want.txt, which `go run main.go` printed.
package main

import (
	"errors"
	"fmt"
)

type point struct{ x, y int }

type Pub struct {
	X    int
	Name string
}

type line struct {
	a, b  point
	Label string
	tags  []string
}

type celsius struct{ deg float64 }

func (c celsius) String() string { return fmt.Sprintf("%.1f°C", c.deg) }

type notFound struct{ key string }

func (e *notFound) Error() string { return "not found: " + e.key }

type state int

const (
	idle state = iota
	running
)

func (s state) String() string { return [...]string{"idle", "running"}[s] }

type reading struct {
	T    celsius
	t    celsius
	Seen bool
}

func main() {
	p := point{1, 2}
	fmt.Printf("%v|%+v|%#v|%T\n", p, p, p, p)
	fmt.Printf("%v|%+v|%#v|%T\n", &p, &p, Pub{1, "n"}, &p)
	l := line{p, point{3, 4}, "l", []string{"x"}}
	fmt.Printf("%v|%+v|%#v\n", l, l, l)
	fmt.Printf("%v|%#v|%T\n", []point{p}, []point{p}, []point{p})
	m := map[string]point{"b": {3, 4}, "a": p}
	fmt.Printf("%v|%+v|%#v|%T\n", m, m, m, m)
	fmt.Printf("%T|%T|%#v\n", map[point][]*point{}, [2]point{}, (*point)(nil))
	fmt.Println(p, &p, []any{p, "s", 3})
	fmt.Print(p, "x", l, "\n")
	c := celsius{21.5}
	fmt.Println(c, []celsius{c, {3}}, reading{c, c, true})
	fmt.Printf("%v|%s|%+v|%q|%x|%T\n", c, c, c, c, c, c)
	fmt.Printf("%#v|%d|%T\n", []celsius{c}, []celsius{c}, []celsius{c})
	fmt.Println(running, idle)
	fmt.Printf("%v|%d|%T|%q|%x\n", running, running, running, running, idle)
	var err error = &notFound{"k"}
	fmt.Println(err)
	fmt.Printf("%v|%T\n", err, err)
	wrapped := fmt.Errorf("lookup %v: %w", p, err)
	fmt.Println(wrapped)
	var nf *notFound
	fmt.Println(errors.Is(wrapped, err), errors.As(wrapped, &nf), nf.key, errors.Is(wrapped, &notFound{"k"}))
	fmt.Println(fmt.Sprint(p, p), fmt.Sprintf("%6v|%-8v|", point{7, 8}, c))
}
