package main

import "fmt"

var table = build()

func build() map[string]int {
	fmt.Println("building table")
	return map[string]int{"one": 1}
}

func init() {
	fmt.Println("init sees", len(table), "entries")
	table["two"] = 2
}

func main() {
	fmt.Println("main sees", table)
}
