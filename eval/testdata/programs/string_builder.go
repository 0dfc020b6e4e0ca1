package main

import (
	"fmt"
	"strings"
)

func main() {
	var b strings.Builder
	for i := 3; i > 0; i-- {
		fmt.Fprintf(&b, "%d...", i)
	}
	b.WriteString("liftoff")
	b.WriteByte('!')
	b.WriteRune('🚀')
	fmt.Println(b.String(), b.Len())
	fmt.Println(strings.Repeat("ab", 3))
	fmt.Println(strings.ToUpper("ñandú"), strings.Title("x") == "X")
}
