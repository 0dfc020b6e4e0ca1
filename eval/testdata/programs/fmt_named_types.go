package main

import "fmt"

type F float64
type Names []string
type Grades map[string]int
type ID int

func main() {
	fmt.Printf("%T %v\n", F(2.5), F(2.5))
	fmt.Printf("%T %v %#v\n", Names{"a"}, Names{"a"}, Names{"a"})
	fmt.Printf("%T %v\n", Grades{"x": 9}, Grades{"x": 9})
	fmt.Printf("%T %d %#v\n", ID(7), ID(7), ID(7))
	var anything any = ID(3)
	fmt.Printf("%T\n", anything)
}
