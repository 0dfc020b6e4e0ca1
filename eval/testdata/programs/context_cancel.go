package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

func work(ctx context.Context, out chan<- int) {
	defer close(out)
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case out <- i:
		}
	}
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan int)
	go work(ctx, out)
	for v := range out {
		if v == 4 {
			cancel()
			break
		}
	}
	for range out {
	}
	fmt.Println(ctx.Err())
	tctx, tcancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
	defer tcancel()
	<-tctx.Done()
	fmt.Println(errors.Is(tctx.Err(), context.DeadlineExceeded))
}
