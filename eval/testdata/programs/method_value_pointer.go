package main

import "fmt"

type Vertex struct{ X, Y float64 }

func (v Vertex) Scaled(f float64) Vertex { return Vertex{v.X * f, v.Y * f} }

func (v *Vertex) Scale(f float64) {
	v.X *= f
	v.Y *= f
}

func main() {
	v := Vertex{3, 4}
	v.Scale(2)
	fmt.Println(v)
	p := &v
	fmt.Println(p.Scaled(0.5))
	scale := v.Scale
	scale(10)
	fmt.Println(v)
	f := Vertex.Scaled
	fmt.Println(f(Vertex{1, 1}, 3))
	g := (*Vertex).Scale
	g(&v, 0)
	fmt.Println(v)
}
