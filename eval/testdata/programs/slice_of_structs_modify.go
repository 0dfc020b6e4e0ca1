package main

import "fmt"

type item struct {
	name string
	done bool
}

func main() {
	todo := []item{{"leer", false}, {"escribir", false}}
	for _, it := range todo {
		it.done = true
	}
	fmt.Println(todo)
	for i := range todo {
		todo[i].done = true
	}
	fmt.Println(todo)
	ptrs := []*item{{"a", false}}
	for _, p := range ptrs {
		p.done = true
	}
	fmt.Println(*ptrs[0])
}
