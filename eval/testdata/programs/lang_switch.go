package main

import "fmt"

func grade(n int) string {
	switch {
	case n >= 90:
		return "A"
	case n >= 80:
		return "B"
	default:
		return "C"
	}
}

func main() {
	for _, n := range []int{95, 85, 10} {
		fmt.Print(grade(n), " ")
	}
	fmt.Println()
	switch x := 2; x {
	case 1, 2:
		fmt.Println("one or two")
		fallthrough
	case 3:
		fmt.Println("fell into three")
	case 4:
		fmt.Println("four")
	}
	switch day := "sat"; day {
	case "sat", "sun":
		fmt.Println("weekend")
	}
}
