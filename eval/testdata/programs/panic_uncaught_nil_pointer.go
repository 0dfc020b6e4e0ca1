package main

import "fmt"

type Config struct{ Port int }

func load(ok bool) *Config {
	if ok {
		return &Config{8080}
	}
	return nil
}

func main() {
	fmt.Println(load(true).Port)
	fmt.Println(load(false).Port)
}
