package main

import (
	"fmt"
	"strings"
	"unicode"
)

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func isPalindrome(s string) bool {
	var clean []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			clean = append(clean, r)
		}
	}
	return string(clean) == reverse(string(clean))
}

func main() {
	fmt.Println(reverse("¡Hola, 世界!"))
	for _, s := range []string{"Anita lava la tina", "gopher", "Ómo"} {
		fmt.Printf("%-20q %v\n", s, isPalindrome(s))
	}
}
