package main

import (
	"fmt"
)

type NotFound struct{ Name string }

func (e NotFound) Error() string { return "not found: " + e.Name }

type Temp float64

func (t Temp) String() string { return fmt.Sprintf("%.1f°", float64(t)) }

type both struct{}

func (both) Error() string  { return "as error" }
func (both) String() string { return "as string" }

func main() {
	var err error = NotFound{"config"}
	fmt.Println(err)
	fmt.Printf("%v|%s|%q\n", err, err, err)
	fmt.Printf("%+v|%#v\n", NotFound{"x"}, NotFound{"x"})
	fmt.Println(Temp(36.6), []Temp{1, 2})
	fmt.Printf("%v %.2f %d\n", Temp(1), Temp(1), 5)
	fmt.Println(both{})
}
