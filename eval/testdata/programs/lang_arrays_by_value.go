package main

import "fmt"

func zero(a [3]int) { a[0] = 0 }

func zeroPtr(a *[3]int) { a[0] = 0 }

type Grid [2][2]int

func (g Grid) Flip() Grid {
	g[0][0], g[1][1] = g[1][1], g[0][0]
	return g
}

func main() {
	a := [3]int{1, 2, 3}
	zero(a)
	fmt.Println(a)
	zeroPtr(&a)
	fmt.Println(a)
	g := Grid{{1, 2}, {3, 4}}
	fmt.Println(g.Flip(), g)
	for i, v := range a {
		a[2] = 100
		fmt.Print(i, "=", v, " ")
	}
	fmt.Println(a)
}
