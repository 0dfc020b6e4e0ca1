// A program whose body eval's fmtnames_test.go runs as a cell, comparing
// what it prints with want.txt, which `go run main.go` printed.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

type myErr struct{ code int }

func (e *myErr) Error() string { return fmt.Sprint("code ", e.code) }

type valErr struct{ msg string }

func (e valErr) Error() string { return "val: " + e.msg }

func main() {
	_, err := os.Open("/nonexistent")
	var pe *fs.PathError
	fmt.Println(errors.As(err, &pe), pe.Path, errors.Is(err, fs.ErrNotExist))
	var e error = &myErr{3}
	w := fmt.Errorf("w: %w", e)
	var me *myErr
	fmt.Println(errors.As(w, &me), me.code, errors.As(err, &me))
	j := errors.Join(e, err)
	fmt.Println(errors.Is(j, e), errors.Is(j, fs.ErrNotExist), errors.Is(j, &myErr{3}))
	fmt.Println(j)
	two := fmt.Errorf("%w + %w", e, err)
	fmt.Printf("%v|%T|%v\n", two, e, errors.Unwrap(two) == nil)
	fmt.Println([]error{valErr{"a"}, e}, fmt.Errorf("ctx: %w", valErr{"b"}))
}
