package main

import "fmt"

type Animal struct {
	Name string
}

func (a Animal) Speak() string    { return a.Name + " makes a sound" }
func (a *Animal) Rename(n string) { a.Name = n }

type Dog struct {
	Animal
	Breed string
}

func (d Dog) Speak() string { return d.Name + " barks" }

func main() {
	d := Dog{Animal{"Rex"}, "beagle"}
	fmt.Println(d.Speak())
	fmt.Println(d.Animal.Speak())
	d.Rename("Max")
	fmt.Println(d.Name, d.Breed)
	fmt.Printf("%v\n%+v\n", d, d)
}
