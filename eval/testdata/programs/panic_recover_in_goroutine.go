package main

import (
	"fmt"
	"sort"
)

func safeGo(id int, results chan<- string, f func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				results <- fmt.Sprintf("task %d failed: %v", id, r)
				return
			}
			results <- fmt.Sprintf("task %d ok", id)
		}()
		f()
	}()
}

func main() {
	results := make(chan string)
	for i := range 4 {
		safeGo(i, results, func() {
			if i%2 == 1 {
				panic(fmt.Sprint("odd ", i))
			}
		})
	}
	var lines []string
	for range 4 {
		lines = append(lines, <-results)
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}
