package main

import "fmt"

type point struct{ X, Y int }

type line struct {
	From, To point
	Label    string
}

func main() {
	p := point{1, 2}
	fmt.Printf("%v\n", p)
	fmt.Printf("%+v\n", p)
	fmt.Printf("%#v\n", p)
	fmt.Printf("%T\n", p)
	l := line{p, point{3, 4}, "diag"}
	fmt.Printf("%v\n%+v\n%#v\n", l, l, l)
	fmt.Printf("%v %+v\n", &p, &l)
	fmt.Printf("%T %T\n", &p, []line{})
}
