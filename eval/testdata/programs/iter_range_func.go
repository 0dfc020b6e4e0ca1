package main

import "fmt"

func countTo(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := 1; i <= n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func pairs(s []string) func(func(int, string) bool) {
	return func(yield func(int, string) bool) {
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

func main() {
	for v := range countTo(5) {
		if v == 4 {
			break
		}
		fmt.Println(v)
	}
	for i, s := range pairs([]string{"x", "y"}) {
		fmt.Println(i, s)
	}
}
