package main

import (
	"fmt"
	"runtime"
)

func main() {
	defer func() {
		r := recover()
		re, ok := r.(runtime.Error)
		fmt.Println("is runtime.Error:", ok)
		fmt.Println(re.Error())
	}()
	var arr []string
	idx := 3
	fmt.Println(arr[idx])
}
