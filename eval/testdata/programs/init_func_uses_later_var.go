package main

import "fmt"

func describe() string {
	return fmt.Sprintf("%s has %d items", label, len(items))
}

func total() int {
	sum := 0
	for _, v := range items {
		sum += v
	}
	return sum
}

var label = "cart"

var items = []int{4, 5, 6}

func main() {
	fmt.Println(describe())
	fmt.Println(total())
}
