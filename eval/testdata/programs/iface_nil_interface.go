package main

import "fmt"

type myErr struct{}

func (*myErr) Error() string { return "my error" }

func mayFail(fail bool) error {
	var p *myErr
	if fail {
		p = &myErr{}
	}
	return p
}

func really(fail bool) error {
	if fail {
		return &myErr{}
	}
	return nil
}

func main() {
	fmt.Println(mayFail(false) == nil)
	fmt.Println(really(false) == nil)
	fmt.Println(really(true))
	var s fmt.Stringer
	fmt.Printf("%v %T\n", s, s)
}
