package main

import "fmt"

func main() {
	names := []string{"ana", "bo", "cy"}
	var greet []func() string
	for i, n := range names {
		greet = append(greet, func() string { return fmt.Sprint(i, ":", n) })
	}
	for _, g := range greet {
		fmt.Println(g())
	}
}
