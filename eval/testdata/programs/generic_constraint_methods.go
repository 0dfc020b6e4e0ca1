package main

import (
	"fmt"
	"strconv"
)

// Constraints with methods, type sets with ~, and a constraint that
// combines both.

type Shape interface {
	Area() float64
	Name() string
}

type Rect struct{ W, H float64 }
type Circle struct{ R float64 }

func (r Rect) Area() float64   { return r.W * r.H }
func (r Rect) Name() string    { return "rect" }
func (c Circle) Area() float64 { return 3 * c.R * c.R }
func (c Circle) Name() string  { return "circle" }

func Largest[S Shape](shapes []S) S {
	best := shapes[0]
	for _, s := range shapes[1:] {
		if s.Area() > best.Area() {
			best = s
		}
	}
	return best
}

type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64
}

type Meters int

func (m Meters) String() string { return strconv.Itoa(int(m)) + "m" }

type StringInt interface {
	Integer
	String() string
}

func Total[T StringInt](xs []T) string {
	var sum T
	for _, x := range xs {
		sum += x
	}
	return sum.String()
}

func Max[T Integer | ~float64 | ~string](a, b T) T {
	if a > b {
		return a
	}
	return b
}

func main() {
	r := Largest([]Rect{{1, 2}, {3, 4}, {2, 2}})
	c := Largest([]Circle{{1}, {0.5}})
	fmt.Println(r, r.Name(), c, c.Area())
	fmt.Println(Total([]Meters{3, 4, 5}))
	fmt.Println(Max(3, 9), Max(2.5, 1.5), Max("go", "gc"), Max[int8](-3, -4))
	var m Meters = Max(Meters(2), 7)
	fmt.Printf("%v %d\n", m, m)
}
