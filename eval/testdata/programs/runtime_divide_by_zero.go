package main

import "fmt"

func div(a, b int) int { return a / b }

func mod(a, b int) int { return a % b }

func main() {
	for _, f := range []func(int, int) int{div, mod} {
		func() {
			defer func() { fmt.Println("recovered:", recover()) }()
			fmt.Println(f(7, 2))
			fmt.Println(f(7, 0))
		}()
	}
	x := 1.0
	zero := 0.0
	fmt.Println(x/zero, -x/zero)
}
