package main

import (
	"fmt"
	"sort"
)

type Result struct {
	Worker int
	Square int
}

func (r Result) String() string { return fmt.Sprintf("w%d=%d", r.Worker, r.Square) }

func main() {
	ch := make(chan Result)
	for i := 1; i <= 4; i++ {
		go func() { ch <- Result{i, i * i} }()
	}
	var rs []Result
	for range 4 {
		rs = append(rs, <-ch)
	}
	sort.Slice(rs, func(a, b int) bool { return rs[a].Worker < rs[b].Worker })
	fmt.Println(rs)
	fmt.Printf("%v %+v\n", rs[0], rs[1])
}
