package main

import "fmt"

func work() (result string) {
	cleanup := func() { fmt.Println("cleanup ran") }
	defer cleanup()
	fmt.Println("working")
	return "done"
}

func main() {
	fmt.Println(work())
	fmt.Println("main goes on")
}
