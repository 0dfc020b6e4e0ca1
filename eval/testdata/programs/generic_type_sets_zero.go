package main

import "fmt"

func Zero[T any]() T {
	var z T
	return z
}

func Ptr[T any](v T) *T { return &v }

type Opt[T any] struct {
	v  T
	ok bool
}

func Some[T any](v T) Opt[T] { return Opt[T]{v, true} }

func (o Opt[T]) Get() (T, bool) { return o.v, o.ok }

func (o Opt[T]) Or(d T) T {
	if o.ok {
		return o.v
	}
	return d
}

func main() {
	fmt.Printf("%q %v %v\n", Zero[string](), Zero[int](), Zero[*int]() == nil)
	p := Ptr(5)
	*p++
	fmt.Println(*p)
	fmt.Println(Some(3).Or(9), Opt[int]{}.Or(9))
	v, ok := Some("x").Get()
	fmt.Println(v, ok)
	fmt.Printf("%T\n", Some(1.5))
}
