package main

import "fmt"

func main() {
	var m map[string]int
	fmt.Println(m["missing"], len(m))
	defer func() {
		r := recover()
		fmt.Println("recovered:", r)
		err, ok := r.(error)
		fmt.Println(ok, err)
	}()
	m["x"] = 1
}
