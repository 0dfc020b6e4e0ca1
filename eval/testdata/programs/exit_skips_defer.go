package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("deferred: go never prints this")
	fmt.Println("exiting")
	os.Exit(3)
}
