package main

import "fmt"

func main() {
	a := make([]int, 3, 10)
	b := append(a, 4)
	c := append(a, 5)
	fmt.Println(a, b, c)
	fmt.Println(len(a), cap(a), len(b), cap(b))
	d := []int{1, 2, 3}
	e := append(d, 4)
	e[0] = 100
	fmt.Println(d, e)
	f := d[:2]
	f = append(f, 99)
	fmt.Println(d, f)
	g := d[0:1:1]
	g = append(g, 7)
	fmt.Println(d, g)
}
