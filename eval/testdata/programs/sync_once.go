package main

import (
	"fmt"
	"sync"
)

var (
	once   sync.Once
	config map[string]string
)

func loadConfig() {
	fmt.Println("loading config")
	config = map[string]string{"mode": "test"}
}

func getConfig() map[string]string {
	once.Do(loadConfig)
	return config
}

func main() {
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { _ = getConfig() })
	}
	wg.Wait()
	fmt.Println(getConfig()["mode"])
	v := sync.OnceValue(func() int { fmt.Println("computing"); return 42 })
	fmt.Println(v(), v())
}
