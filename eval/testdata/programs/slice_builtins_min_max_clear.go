package main

import "fmt"

func main() {
	fmt.Println(min(3, 1, 2), max(3, 1, 2))
	fmt.Println(min(2.5, 1.0), max("apple", "banana"))
	var a, b int64 = 10, 20
	fmt.Printf("%v %T\n", min(a, b), max(a, b))
	xs := []int{1, 2, 3}
	clear(xs)
	fmt.Println(xs, len(xs))
	m := map[int]string{1: "a"}
	clear(m)
	fmt.Println(m, len(m))
	x := 7
	fmt.Println(max(x, 10), min(x, 10))
}
