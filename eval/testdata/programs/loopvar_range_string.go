package main

import "fmt"

func main() {
	var fs []func() string
	for i, r := range "añb" {
		fs = append(fs, func() string { return fmt.Sprintf("%d:%c", i, r) })
	}
	for _, f := range fs {
		fmt.Print(f(), " ")
	}
	fmt.Println()
	var ds []func() int
	for i := 3; i > 0; i-- {
		defer func() { fmt.Println("deferred", i) }()
		ds = append(ds, func() int { return i })
	}
	fmt.Println(ds[0](), ds[1](), ds[2]())
}
