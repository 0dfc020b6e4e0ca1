package main

import (
	"errors"
	"fmt"
)

var (
	ErrNotFound   = errors.New("not found")
	ErrPermission = errors.New("permission denied")
)

func lookup(key string) (string, error) {
	switch key {
	case "root":
		return "", fmt.Errorf("lookup %s: %w", key, ErrPermission)
	case "alice":
		return "admin", nil
	}
	return "", ErrNotFound
}

func main() {
	for _, k := range []string{"alice", "bob", "root"} {
		v, err := lookup(k)
		switch {
		case err == nil:
			fmt.Println(k, "=>", v)
		case errors.Is(err, ErrNotFound):
			fmt.Println(k, "missing")
		case errors.Is(err, ErrPermission):
			fmt.Println(k, "denied:", err)
		}
	}
}
