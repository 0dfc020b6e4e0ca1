package main

import (
	"errors"
	"fmt"
	"strconv"
)

// Option and Result types: generic zero values, methods with value and
// pointer receivers, and %v of nested instances.

type Option[T any] struct {
	val T
	ok  bool
}

func Some[T any](v T) Option[T] { return Option[T]{v, true} }
func None[T any]() Option[T]    { return Option[T]{} }

func (o Option[T]) Get() (T, bool) { return o.val, o.ok }

func (o Option[T]) OrElse(d T) T {
	if o.ok {
		return o.val
	}
	return d
}

func (o Option[T]) String() string {
	if !o.ok {
		return "None"
	}
	return fmt.Sprintf("Some(%v)", o.val)
}

type Result[T any] struct {
	Val T
	Err error
}

func Try[T any](f func() (T, error)) Result[T] {
	v, err := f()
	return Result[T]{v, err}
}

func (r *Result[T]) Must() T {
	if r.Err != nil {
		panic(r.Err)
	}
	return r.Val
}

func ParseAll(ss []string) []Option[int] {
	var out []Option[int]
	for _, s := range ss {
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, Some(n))
		} else {
			out = append(out, None[int]())
		}
	}
	return out
}

func main() {
	opts := ParseAll([]string{"1", "x", "3"})
	fmt.Println(opts)
	fmt.Println(opts[1].OrElse(-1), opts[2].OrElse(-1))
	v, ok := None[string]().Get()
	fmt.Printf("%q %v\n", v, ok)
	nested := Some(Some(2.5))
	fmt.Println(nested)
	fmt.Printf("%T\n", Result[Option[int]]{})
	r := Try(func() (int, error) { return strconv.Atoi("42") })
	fmt.Println(r.Must())
	bad := Try(func() (bool, error) { return false, errors.New("no") })
	fmt.Printf("%+v\n", bad)
	defer func() { fmt.Println("recovered:", recover()) }()
	bad.Must()
}
