package main

import (
	"fmt"
	"io"
	"strings"
)

type named interface{ Name() string }

type dog struct{}

func (dog) Name() string { return "rex" }

func main() {
	var v any = dog{}
	if n, ok := v.(named); ok {
		fmt.Println("named:", n.Name())
	}
	_, ok := v.(fmt.Stringer)
	fmt.Println("stringer?", ok)
	var r io.Reader = strings.NewReader("abc")
	_, isWriter := r.(io.Writer)
	_, isSeeker := r.(io.Seeker)
	fmt.Println(isWriter, isSeeker)
	var e error
	fmt.Println(e == nil)
}
