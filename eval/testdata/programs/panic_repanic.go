package main

import (
	"errors"
	"fmt"
)

func inner() {
	defer fmt.Println("inner deferred")
	panic(errors.New("deep"))
}

func middle() {
	defer func() {
		r := recover()
		fmt.Println("middle caught:", r)
		panic(fmt.Sprintf("rethrown: %v", r))
	}()
	inner()
}

func main() {
	defer func() {
		fmt.Println("main caught:", recover())
	}()
	middle()
}
