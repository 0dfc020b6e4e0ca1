package main

import (
	"fmt"
	"sync"
)

type Item struct {
	ID    int
	Value string
}

func producer(id int, n int, q chan<- Item, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := range n {
		q <- Item{id*100 + i, fmt.Sprintf("p%d-%d", id, i)}
	}
}

func consumer(q <-chan Item, totals chan<- int) {
	sum := 0
	for it := range q {
		sum += it.ID
	}
	totals <- sum
}

func main() {
	q := make(chan Item, 4)
	totals := make(chan int)
	var wg sync.WaitGroup
	for p := 1; p <= 3; p++ {
		wg.Add(1)
		go producer(p, 5, q, &wg)
	}
	for range 2 {
		go consumer(q, totals)
	}
	wg.Wait()
	close(q)
	fmt.Println("grand total", <-totals+<-totals)
}
