package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Print("a", "b", 1, 2, "c", 3.5, "\n")
	fmt.Println("a", "b", 1, 2)
	s := fmt.Sprint(1, 2, "x", 3)
	fmt.Println(s, len(s))
	fmt.Println(fmt.Sprintln("end") == "end\n")
	n, err := fmt.Println("counted")
	fmt.Println(n, err)
	fmt.Fprintf(os.Stdout, "%s-%03d\n", "id", 7)
}
