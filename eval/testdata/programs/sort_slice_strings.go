package main

import (
	"fmt"
	"sort"
)

type person struct {
	name string
	age  int
}

func main() {
	names := []string{"pedro", "ana", "Zoe", "luis"}
	sort.Strings(names)
	fmt.Println(names)
	people := []person{{"ana", 30}, {"bo", 25}, {"cy", 30}, {"di", 20}}
	sort.SliceStable(people, func(i, j int) bool { return people[i].age > people[j].age })
	fmt.Println(people)
	sort.Slice(people, func(i, j int) bool { return people[i].name > people[j].name })
	fmt.Println(people)
	ints := []int{3, 1, 2}
	sort.Sort(sort.Reverse(sort.IntSlice(ints)))
	fmt.Println(ints, sort.IsSorted(sort.IntSlice(ints)))
	fmt.Println(sort.SearchInts([]int{1, 3, 5, 7}, 5))
}
