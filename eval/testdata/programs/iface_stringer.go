package main

import "fmt"

type IPAddr [4]byte

func (ip IPAddr) String() string {
	return fmt.Sprintf("%d.%d.%d.%d", ip[0], ip[1], ip[2], ip[3])
}

type Person struct {
	Name string
	Age  int
}

func (p Person) String() string { return fmt.Sprintf("%s (%d years)", p.Name, p.Age) }

func main() {
	hosts := map[string]IPAddr{
		"loopback":  {127, 0, 0, 1},
		"googleDNS": {8, 8, 8, 8},
	}
	for _, name := range []string{"googleDNS", "loopback"} {
		fmt.Printf("%v: %v\n", name, hosts[name])
	}
	a := Person{"Arthur Dent", 42}
	fmt.Println(a)
	fmt.Printf("%v|%s|%d\n", a, a, a.Age)
	fmt.Println([]Person{a, {"Zaphod", 9001}})
}
