package main

import "fmt"

func main() {
	var fib func(int) int
	memo := map[int]int{}
	fib = func(n int) int {
		if n < 2 {
			return n
		}
		if v, ok := memo[n]; ok {
			return v
		}
		memo[n] = fib(n-1) + fib(n-2)
		return memo[n]
	}
	fmt.Println(fib(50), len(memo))
	var walk func(depth int) string
	walk = func(depth int) string {
		if depth == 0 {
			return "."
		}
		return "(" + walk(depth-1) + ")"
	}
	fmt.Println(walk(3))
}
