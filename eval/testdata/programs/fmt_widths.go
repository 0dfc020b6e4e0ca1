package main

import "fmt"

func main() {
	fmt.Printf("|%5d|%-5d|%05d|\n", 42, 42, 42)
	fmt.Printf("|%8.3f|%-8.2f|%.0f|\n", 3.14159, 2.5, 2.5)
	fmt.Printf("|%10s|%-10s|%.2s|\n", "go", "go", "gopher")
	fmt.Printf("|%x|%X|%#x|%08b|%o|\n", 255, 255, 255, 5, 8)
	fmt.Printf("|%q|%q|%U|%c|\n", "hi\n", 'x', 'ñ', 65)
	fmt.Printf("|%e|%g|%g|\n", 1234.5678, 0.000001, 100.0)
	fmt.Printf("|%t|%v|%p|\n", true, nil, nil)
	fmt.Printf("|%6.2f%%|\n", 99.5)
	fmt.Printf("|%*d|%-*d|\n", 4, 7, 4, 7)
	fmt.Printf("%d %s\n", "str", 5)
	fmt.Printf("%d\n")
	fmt.Printf("%d\n", 1, 2)
}
