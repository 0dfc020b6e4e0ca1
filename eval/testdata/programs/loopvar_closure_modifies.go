package main

import "fmt"

func main() {
	var incs []func()
	var reads []func() int
	for i := 0; i < 3; i++ {
		incs = append(incs, func() { i += 10 })
		reads = append(reads, func() int { return i })
	}
	incs[1]()
	incs[1]()
	for _, r := range reads {
		fmt.Println(r())
	}
}
