package main

import (
	"log"
	"os"
)

type Port uint16

type Level int

func main() {
	// A *log.Logger of the cell's own prints the notebook's types too.
	l := log.New(os.Stdout, "srv ", 0)
	l.Printf("%T %v", Port(8080), Port(8080))
	l.Println(Level(2))
}
