package main

import (
	"fmt"
	"strconv"
)

func main() {
	var a, b int
	var w string
	n, err := fmt.Sscan("10 32 hola", &a, &b, &w)
	fmt.Println(n, err, a+b, w)
	i, err := strconv.Atoi("12x")
	fmt.Println(i, err)
	f, _ := strconv.ParseFloat("2.50", 64)
	fmt.Println(f, strconv.FormatInt(255, 2), strconv.Quote("a\tb"))
	bv, err := strconv.ParseBool("maybe")
	fmt.Println(bv, err)
}
