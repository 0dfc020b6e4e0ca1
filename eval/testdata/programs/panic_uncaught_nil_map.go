package main

import "fmt"

type registry struct{ byName map[string]int }

func main() {
	var r registry
	fmt.Println("registering")
	r.byName["a"] = 1
}
