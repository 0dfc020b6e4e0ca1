package main

import "fmt"

func check(n int) {
	if n > 2 {
		panic(fmt.Sprintf("n too big: %d", n))
	}
	fmt.Println("ok", n)
}

func main() {
	for i := range 5 {
		check(i)
	}
}
