package main

import (
	"encoding/json"
	"fmt"
)

type meta struct {
	Version int
	secret  string
}

type Doc struct {
	meta
	Title string
}

func main() {
	// json promotes the exported fields of an embedded unexported struct.
	b, err := json.Marshal(Doc{meta{3, "s"}, "guía"})
	fmt.Println(string(b), err)
	var d Doc
	fmt.Println(json.Unmarshal([]byte(`{"Version":5,"Title":"t"}`), &d), d.Version, d.Title)
}
