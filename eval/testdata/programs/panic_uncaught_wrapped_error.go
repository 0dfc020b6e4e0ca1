package main

import (
	"errors"
	"fmt"
)

var ErrDisk = errors.New("disk full")

func save() error { return fmt.Errorf("save report: %w", ErrDisk) }

func main() {
	if err := save(); err != nil {
		fmt.Println("is disk error:", errors.Is(err, ErrDisk))
		panic(err)
	}
}
