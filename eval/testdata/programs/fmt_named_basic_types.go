package main

import (
	"fmt"
	"log"
	"os"
	"time"
)

type Celsius float64
type Port uint16
type Tags []string
type Scores map[string]int
type Handler func(string) string
type Flags [3]bool
type Meters = float64

func main() {
	c := Celsius(21.5)
	fmt.Printf("%T %v %.2f %g\n", c, c, c, c)
	p := Port(8080)
	fmt.Printf("%T %d %x %v %#v\n", p, p, p, p, p)
	t := Tags{"go", "mp"}
	fmt.Printf("%T %v %q %#v %d\n", t, t, t, t, len(t))
	s := Scores{"ana": 9}
	fmt.Printf("%T %v %#v\n", s, s, s)
	var h Handler = func(x string) string { return x + "!" }
	fmt.Printf("%T %s\n", h, h("hola"))
	f := Flags{true}
	fmt.Printf("%T %v %#v\n", f, f, f)
	var m Meters = 3.5
	fmt.Printf("%T %v\n", m, m)
	fmt.Println(c, p, t, s, f)
	fmt.Print(fmt.Sprintf("%T|", c), fmt.Sprint(p), "\n")
	fmt.Fprintf(os.Stdout, "%T\n", t)
	log.SetOutput(os.Stdout)
	log.SetFlags(0)
	log.Printf("%T %v", p, p)
	d := time.Duration(1500) * time.Millisecond
	fmt.Printf("%T %v\n", d, d)
}
