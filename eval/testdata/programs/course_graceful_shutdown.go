package main

import (
	"fmt"
	"sync"
)

type Server struct {
	requests chan int
	quit     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	handled  int
}

func NewServer(workers int) *Server {
	s := &Server{requests: make(chan int), quit: make(chan struct{})}
	for range workers {
		s.wg.Go(s.loop)
	}
	return s
}

func (s *Server) loop() {
	for {
		select {
		case r := <-s.requests:
			s.mu.Lock()
			s.handled += r
			s.mu.Unlock()
		case <-s.quit:
			return
		}
	}
}

func (s *Server) Shutdown() int {
	close(s.quit)
	s.wg.Wait()
	return s.handled
}

func main() {
	s := NewServer(3)
	for i := 1; i <= 10; i++ {
		s.requests <- i
	}
	fmt.Println("handled total", s.Shutdown())
}
