package main

import "fmt"

type pair struct {
	K string
	V int
}

func main() {
	m := map[string][]int{"b": {2}, "a": {1, 1}, "c": nil}
	fmt.Println(m)
	fmt.Printf("%v\n%#v\n", m, map[int]bool{2: true, 1: false})
	ps := []pair{{"x", 1}, {"y", 2}}
	fmt.Printf("%v\n%+v\n%#v\n", ps, ps, ps)
	arr := [3]string{"a", "", "c"}
	fmt.Printf("%v %q %d\n", arr, arr, len(arr))
	var nilSlice []int
	var nilMap map[string]int
	fmt.Printf("%v %v %#v %#v\n", nilSlice, nilMap, nilSlice, nilMap)
	nested := map[pair]string{{"b", 1}: "second", {"a", 2}: "first"}
	fmt.Println(nested)
}
