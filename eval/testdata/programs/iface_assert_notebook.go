package main

import "fmt"

type Shape interface{ Area() float64 }

type Named interface {
	Shape
	Name() string
}

type Rect struct{ W, H float64 }

func (r Rect) Area() float64 { return r.W * r.H }
func (r Rect) Name() string  { return "rect" }

type Circle struct{ R float64 }

func (c *Circle) Area() float64 { return 3 * c.R * c.R }

func total(vs []any) (sum float64, skipped int) {
	for _, v := range vs {
		s, ok := v.(Shape)
		if !ok {
			skipped++
			continue
		}
		sum += s.Area()
	}
	return
}

func main() {
	vs := []any{Rect{2, 3}, &Circle{1}, "no", 4, Circle{2}}
	fmt.Println(total(vs))
	if n, ok := vs[0].(Named); ok {
		fmt.Println(n.Name(), n.Area())
	}
	_, ok := vs[1].(Named)
	fmt.Println("circle named?", ok)
	var s Shape = Rect{1, 1}
	fmt.Println(s.(Named).Name())
	func() {
		defer func() { fmt.Println("recovered:", recover() != nil) }()
		_ = vs[2].(Shape)
	}()
}
