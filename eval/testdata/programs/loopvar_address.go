package main

import "fmt"

func main() {
	var ptrs []*int
	for i := 0; i < 3; i++ {
		ptrs = append(ptrs, &i)
	}
	for _, p := range ptrs {
		fmt.Print(*p, " ")
	}
	fmt.Println()
	var vs []*string
	for _, v := range []string{"a", "b"} {
		vs = append(vs, &v)
	}
	fmt.Println(*vs[0], *vs[1], vs[0] == vs[1])
}
