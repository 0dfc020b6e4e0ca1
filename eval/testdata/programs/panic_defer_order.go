package main

import "fmt"

func deferOrder() {
	for i := range 3 {
		defer fmt.Println("defer", i)
	}
	fmt.Println("body")
}

func deferArgsEvaluated() {
	x := 1
	defer fmt.Println("deferred sees", x)
	x = 2
	fmt.Println("x is", x)
}

func namedResult() (n int) {
	defer func() { n *= 10 }()
	return 4
}

func main() {
	deferOrder()
	deferArgsEvaluated()
	fmt.Println(namedResult())
}
