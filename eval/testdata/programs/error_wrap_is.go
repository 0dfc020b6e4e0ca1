package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

var ErrEmpty = errors.New("empty input")

func parse(s string) error {
	if s == "" {
		return fmt.Errorf("parse %q: %w", s, ErrEmpty)
	}
	return nil
}

func main() {
	err := parse("")
	fmt.Println(err)
	fmt.Println(errors.Is(err, ErrEmpty), errors.Unwrap(err) == ErrEmpty)
	wrapped := fmt.Errorf("load: %w", err)
	fmt.Println(wrapped, errors.Is(wrapped, ErrEmpty))
	_, err = os.Open("/definitely/not/here")
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	fmt.Println(parse("ok") == nil)
}
