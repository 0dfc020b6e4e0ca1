package main

import "fmt"

func main() {
	fmt.Println("stdout line")
	println("builtin println goes to stderr", 42)
	print("print too\n")
}
