package main

import "fmt"

type config struct {
	Retries *int
	Name    *string
}

func main() {
	p := new(42)
	fmt.Println(*p)
	s := new("hola")
	*s += "!"
	fmt.Println(*s)
	c := config{Retries: new(3), Name: new(fmt.Sprint("svc", 1))}
	fmt.Println(*c.Retries, *c.Name)
	q := new(int)
	fmt.Println(*q)
	f := new(2.5 * 2)
	fmt.Printf("%v %T\n", *f, f)
}
