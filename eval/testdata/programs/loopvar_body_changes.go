package main

import "fmt"

func main() {
	var fs []func() int
	for i := 0; i < 10; i++ {
		fs = append(fs, func() int { return i })
		i += 2
	}
	for _, f := range fs {
		fmt.Print(f(), " ")
	}
	fmt.Println()
	var gs []func() int
	for i := 0; i < 3; i++ {
		gs = append(gs, func() int { return i })
		gs[len(gs)-1]()
	}
	for _, g := range gs {
		fmt.Print(g(), " ")
	}
	fmt.Println()
}
