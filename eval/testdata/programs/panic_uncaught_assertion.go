package main

import "fmt"

func main() {
	values := []any{1, "two", 3}
	total := 0
	for _, v := range values {
		total += v.(int)
		fmt.Println("total", total)
	}
}
