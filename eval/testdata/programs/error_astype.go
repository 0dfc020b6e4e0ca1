package main

import (
	"errors"
	"fmt"
)

type TimeoutError struct{ Op string }

func (e TimeoutError) Error() string { return e.Op + ": timeout" }

func call() error { return fmt.Errorf("rpc: %w", TimeoutError{"dial"}) }

func main() {
	err := call()
	if te, ok := errors.AsType[TimeoutError](err); ok {
		fmt.Println("timeout in", te.Op)
	}
	_, ok := errors.AsType[*TimeoutError](err)
	fmt.Println(ok)
}
