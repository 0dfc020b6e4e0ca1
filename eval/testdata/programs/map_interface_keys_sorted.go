package main

import "fmt"

func main() {
	m := map[any]int{2: 1, "b": 2, 1: 3, "a": 4, 2.5: 5, true: 6}
	fmt.Println(m)
	nested := map[string]map[string]int{"z": {"b": 2, "a": 1}, "y": {}}
	fmt.Println(nested)
	fl := map[float64]string{2.5: "x", -1: "y", 0: "z"}
	fmt.Println(fl)
	bs := map[bool]int{true: 1, false: 0}
	fmt.Println(bs)
	arr := map[[2]int]string{{2, 1}: "b", {1, 9}: "a"}
	fmt.Println(arr)
}
