package main

import "fmt"

func main() {
	var fs []func() int
	for i := range 4 {
		fs = append(fs, func() int { return 10 * i })
	}
	for _, f := range fs {
		fmt.Print(f(), " ")
	}
	fmt.Println()
	n := 0
	for range 5 {
		n++
	}
	fmt.Println("n =", n)
}
