package main

import (
	"errors"
	"fmt"
)

func main() {
	defer fmt.Println("deferred runs before the crash")
	fmt.Println("about to fail")
	panic(errors.New("fatal configuration"))
}
