package main

import "fmt"

type row struct {
	name  string
	qty   int
	price float64
}

func main() {
	rows := []row{{"manzana", 3, 0.5}, {"pan", 1, 1.25}, {"leche", 12, 0.99}}
	fmt.Printf("%-10s %5s %8s\n", "item", "qty", "total")
	var sum float64
	for _, r := range rows {
		t := float64(r.qty) * r.price
		sum += t
		fmt.Printf("%-10s %5d %8.2f\n", r.name, r.qty, t)
	}
	fmt.Printf("%-10s %5s %8.2f\n", "TOTAL", "", sum)
}
