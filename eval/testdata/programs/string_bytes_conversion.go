package main

import (
	"bytes"
	"fmt"
	"strconv"
)

func main() {
	b := []byte("hello")
	b[0] = 'H'
	fmt.Println(string(b))
	var buf bytes.Buffer
	buf.WriteString("n=")
	buf.WriteString(strconv.Itoa(42))
	fmt.Println(buf.String(), buf.Len())
	fmt.Println(bytes.Equal([]byte("a"), []byte("a")), bytes.ToUpper([]byte("x")))
	fmt.Println(string(rune(65)), strconv.Itoa(65), fmt.Sprint(65))
	r := []rune("héllo")
	r[1] = 'e'
	fmt.Println(string(r))
}
