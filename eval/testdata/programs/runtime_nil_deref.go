package main

import "fmt"

type T struct{ v int }

func read(p *T) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return p.v, nil
}

func main() {
	fmt.Println(read(&T{5}))
	fmt.Println(read(nil))
	func() {
		defer func() { fmt.Println(recover()) }()
		var ip *int
		*ip = 3
	}()
}
