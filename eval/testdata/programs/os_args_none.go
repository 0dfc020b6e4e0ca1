package main

import (
	"fmt"
	"os"
)

func main() {
	// As go run main.go: the program's name and no arguments.
	if len(os.Args) < 2 {
		fmt.Println("usage: main NAME (no arguments given)", len(os.Args))
		return
	}
	fmt.Println("hello", os.Args[1])
}
