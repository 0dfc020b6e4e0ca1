package main

import "fmt"

func main() {
	a := make(chan string)
	b := make(chan string)
	go func() {
		for i := 0; i < 3; i++ {
			a <- fmt.Sprint("a", i)
		}
		close(a)
	}()
	go func() {
		for i := 0; i < 2; i++ {
			b <- fmt.Sprint("b", i)
		}
		close(b)
	}()
	var got []string
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			got = append(got, v)
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			got = append(got, v)
		}
	}
	fmt.Println(len(got), "messages")
	count := map[byte]int{}
	for _, s := range got {
		count[s[0]]++
	}
	fmt.Println(count)
}
