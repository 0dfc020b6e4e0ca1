package main

import "fmt"

type node struct {
	V    int
	Next *node
}

func main() {
	var p *node
	fmt.Println(p == nil)
	fmt.Printf("%v %+v\n", p, p)
	n := &node{V: 1}
	fmt.Printf("%v\n", *n)
	fmt.Printf("%+v\n", *n)
	var e error
	fmt.Println(e)
	fmt.Printf("[%v] [%s]\n", e, []string(nil))
}
