package main

import "fmt"

type secret string

func (s secret) GoString() string { return `secret("***")` }
func (s secret) String() string   { return "***" }

type money int

func (m money) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "$%d.%02d", int(m)/100, int(m)%100)
}

func main() {
	s := secret("hunter2")
	fmt.Printf("%v %s %#v\n", s, s, s)
	fmt.Printf("%v|%d\n", money(1234), money(5))
	fmt.Println(money(99))
}
