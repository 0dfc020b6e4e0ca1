package main

import "fmt"

func main() {
	b := []byte("Go!")
	fmt.Printf("%x\n", b)
	fmt.Printf("% x\n", b)
	fmt.Printf("%X\n", "hola")
	fmt.Printf("%v\n", b)
	fmt.Printf("%s\n", b)
	fmt.Printf("%q\n", b)
	fmt.Printf("%x\n", -1)
	fmt.Printf("%08.3f|%+d|% d\n", -3.5, 5, 5)
}
