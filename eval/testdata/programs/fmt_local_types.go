package main

import "fmt"

func main() {
	type point struct{ x, y int }
	type Label string
	type pair struct {
		Name  string
		Where *point
	}
	p := point{1, 2}
	fmt.Printf("%v %+v %#v %T\n", p, p, p, p)
	pp := &p
	fmt.Printf("%v %+v %T\n", pp, pp, pp)
	var l Label = "hola"
	fmt.Printf("%v %q %T\n", l, l, l)
	pr := pair{"a", &p}
	fmt.Printf("%v %T\n", pr.Name, pr)
	fmt.Println(p, fmt.Sprintf("%+v", p))
}
