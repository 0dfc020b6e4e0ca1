package main

import "fmt"

// %T of values of two instances of one generic type with a String method,
// one holding the other.

type Option[T any] struct {
	val T
	ok  bool
}

func Some[T any](v T) Option[T] { return Option[T]{v, true} }

func (o Option[T]) String() string { return fmt.Sprintf("Some(%v)", o.val) }

func main() {
	inner := Some(2.5)
	nested := Some(inner)
	fmt.Println(inner, nested)
	fmt.Printf("%T %T\n", inner, nested)
}
