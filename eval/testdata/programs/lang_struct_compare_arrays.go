package main

import "fmt"

type Point struct{ X, Y int }

func main() {
	a, b := Point{1, 2}, Point{1, 2}
	fmt.Println(a == b, a != Point{2, 1})
	arr1 := [3]int{1, 2, 3}
	arr2 := arr1
	arr2[0] = 9
	fmt.Println(arr1, arr2, arr1 == [3]int{1, 2, 3})
	matrix := [2][2]int{{1, 2}, {3, 4}}
	fmt.Println(matrix, len(matrix[0]))
	anon := struct {
		Name string
		Tags []string
	}{"x", []string{"a"}}
	fmt.Printf("%v %+v\n", anon, anon)
	seen := map[Point]bool{a: true}
	fmt.Println(seen[b])
	idx := [...]string{2: "c", 0: "a"}
	fmt.Printf("%q %d\n", idx, len(idx))
}
