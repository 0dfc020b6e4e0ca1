package main

import "fmt"

type Celsius = float64
type Fahrenheit float64

type Temps = map[string]Celsius

func toF(c Celsius) Fahrenheit { return Fahrenheit(c*9/5 + 32) }

func main() {
	var c Celsius = 100
	f := toF(c)
	fmt.Printf("%v %T | %v %T\n", c, c, f, f)
	t := Temps{"lima": 18.5}
	fmt.Printf("%v %T\n", t, t)
	var plain float64 = c
	fmt.Println(plain == 100)
}
