package main

import "fmt"

type Shape interface{ Area() float64 }
type Sq struct{ S float64 }

func (s Sq) Area() float64 { return s.S * s.S }

func main() {
	var v any = "hello"
	func() {
		defer func() { fmt.Println(recover()) }()
		n := v.(int)
		fmt.Println(n)
	}()
	func() {
		defer func() { fmt.Println(recover()) }()
		var s Shape = Sq{2}
		_ = s.(interface{ Volume() float64 })
	}()
	func() {
		defer func() { fmt.Println(recover()) }()
		var nothing any
		_ = nothing.(string)
	}()
}
