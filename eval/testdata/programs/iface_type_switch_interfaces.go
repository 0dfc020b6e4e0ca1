package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

type Shape interface{ Area() float64 }

type Rect struct{ W, H float64 }

func (r Rect) Area() float64 { return r.W * r.H }

type Circle struct{ R float64 }

func (c *Circle) Area() float64 { return 3 * c.R * c.R }

func (c *Circle) String() string { return fmt.Sprintf("circle(%g)", c.R) }

type NotFound struct{ Name string }

func (e *NotFound) Error() string { return e.Name + " not found" }

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case fmt.Stringer:
		return "stringer " + x.String()
	case Shape:
		return fmt.Sprintf("shape of area %g", x.Area())
	case error:
		return "error: " + x.Error()
	case io.Reader:
		b, _ := io.ReadAll(x)
		return "reader of " + string(b)
	case int, int64:
		return fmt.Sprintf("integer %v", x)
	default:
		return fmt.Sprintf("other %T", x)
	}
}

func kinds(vs ...any) (n int) {
	for _, v := range vs {
		switch v.(type) {
		case error:
			n += 100
			if n > 150 {
				break
			}
			n++
		case Shape:
			n += 10
		}
	}
	return n
}

func main() {
	vals := []any{nil, &Circle{2}, Rect{2, 3}, errors.New("plain"), &NotFound{"ana"},
		fmt.Errorf("wrapped: %w", io.EOF), strings.NewReader("abc"), 7, int64(8), 2.5}
	for _, v := range vals {
		fmt.Println(describe(v))
	}
	fmt.Println(kinds(Rect{}, io.EOF, &NotFound{}, 3))
}
