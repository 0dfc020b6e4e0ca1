package main

import "fmt"

func at(xs []int, i int) (v int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return xs[i], nil
}

func main() {
	xs := []int{1, 2, 3}
	fmt.Println(at(xs, 1))
	fmt.Println(at(xs, 5))
	fmt.Println(at(xs, -1+len(xs)*0-0))
	func() {
		defer func() { fmt.Println(recover()) }()
		s := "abc"
		i := 10
		_ = s[i]
	}()
	func() {
		defer func() { fmt.Println(recover()) }()
		lo, hi := 2, 1
		_ = xs[lo:hi]
	}()
}
