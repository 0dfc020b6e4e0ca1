package main

import (
	"fmt"
	"os"
)

func validate(args []string) int {
	bad := 0
	for _, a := range args {
		if a == "" {
			bad++
		}
	}
	return bad
}

func main() {
	fmt.Println("checking")
	if n := validate([]string{"a", "", "c", ""}); n > 0 {
		fmt.Println(n, "empty arguments")
		os.Exit(3)
	}
	fmt.Println("unreachable")
}
