package main

import (
	"fmt"
	"os"
)

func main() {
	for i := range 10 {
		if i == 3 {
			fmt.Println("stopping early")
			os.Exit(0)
		}
		fmt.Println("step", i)
	}
}
