package main

import (
	"encoding/json"
	"fmt"
)

type Item struct {
	Version int
	secret  string
	ID      int    `json:"id"`
	Name    string `yaml:"name"`
	note    string `yaml:"note"`
	count   int
	Labels  map[string]string `json:",omitempty"`
}

func main() {
	it := Item{Version: 2, secret: "s", ID: 7, Name: "tuerca", note: "n", count: 3}
	b, err := json.Marshal(it)
	fmt.Println(string(b), err)
	var back Item
	err = json.Unmarshal([]byte(`{"Version":5,"id":9,"Name":"perno","note":"x","count":4,"secret":"y"}`), &back)
	fmt.Println(back.Version, back.ID, back.Name, back.note == "", back.count, back.secret == "", err)
	out, _ := json.MarshalIndent(struct {
		A int
		b int
	}{1, 2}, "", " ")
	fmt.Println(string(out))
}
