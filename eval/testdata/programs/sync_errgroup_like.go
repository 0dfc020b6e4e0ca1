package main

import (
	"errors"
	"fmt"
	"sync"
)

type group struct {
	wg   sync.WaitGroup
	once sync.Once
	err  error
}

func (g *group) Go(f func() error) {
	g.wg.Go(func() {
		if err := f(); err != nil {
			g.once.Do(func() { g.err = err })
		}
	})
}

func (g *group) Wait() error {
	g.wg.Wait()
	return g.err
}

func main() {
	var g group
	for i := range 4 {
		g.Go(func() error {
			if i == 2 {
				return errors.New("task 2 failed")
			}
			return nil
		})
	}
	fmt.Println(g.Wait())
}
