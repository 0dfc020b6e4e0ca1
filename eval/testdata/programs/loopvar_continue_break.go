package main

import "fmt"

type counter struct{ n int }

func (c *counter) bump() { c.n++ }

func main() {
	// continue and break in a loop whose variable a closure and a pointer
	// keep: the value the body leaves carries over to the next iteration.
	var ps []*int
	var fs []func() int
	for i := 0; i < 8; i++ {
		if i%3 == 0 {
			fs = append(fs, func() int { return i * 10 })
			continue
		}
		if i == 7 {
			break
		}
		ps = append(ps, &i)
		i++
	}
	for _, p := range ps {
		fmt.Print(*p, " ")
	}
	for _, f := range fs {
		fmt.Print(f(), " ")
	}
	fmt.Println()

	// A labeled continue from an inner loop, and a switch's own break.
	var gs []func() int
outer:
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			switch {
			case j == 2:
				continue outer
			case i == 1:
				break
			default:
				gs = append(gs, func() int { return i*100 + j })
			}
		}
	}
	for _, g := range gs {
		fmt.Print(g(), " ")
	}
	fmt.Println()

	// A pointer method on a range variable takes the iteration's own copy.
	var bumps []func()
	cs := []counter{{1}, {2}}
	for _, c := range cs {
		bumps = append(bumps, c.bump)
		c.bump()
		fmt.Print(c.n, " ")
	}
	for _, b := range bumps {
		b()
	}
	fmt.Println(cs)
}
