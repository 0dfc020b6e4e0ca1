// gomp:unordered
package main

import (
	"fmt"
	"strings"
)

func main() {
	words := []string{"uno", "dos", "tres", "cuatro"}
	out := make(chan string)
	for _, w := range words {
		go func() { out <- strings.ToUpper(w) }()
	}
	for range words {
		fmt.Println(<-out)
	}
}
