package main

import "fmt"

func count() {
	for i := 0; i < 3; i++ {
		defer func() { fmt.Print(i) }()
	}
}

func main() {
	count()
	fmt.Println()
	for _, s := range []string{"x", "y", "z"} {
		defer fmt.Println("deferred", s)
	}
	fmt.Println("end of main")
}
