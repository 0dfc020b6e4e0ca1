package main

import "fmt"

func main() {
	var stack []int
	for i := range 4 {
		stack = append(stack, i)
	}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		fmt.Print(top, " ")
	}
	fmt.Println()
	queue := []string{"a", "b", "c"}
	for len(queue) > 0 {
		var head string
		head, queue = queue[0], queue[1:]
		fmt.Print(head)
		if head == "a" {
			queue = append(queue, "z")
		}
	}
	fmt.Println()
	arr := [5]int{1, 2, 3, 4, 5}
	s := arr[1:4]
	s[0] = 20
	fmt.Println(arr, s, len(s), cap(s))
}
