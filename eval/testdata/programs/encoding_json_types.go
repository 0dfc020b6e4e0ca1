package main

import (
	"encoding/json"
	"fmt"
)

type Address struct {
	City string `json:"city"`
	Zip  string `json:"zip,omitempty"`
}

type User struct {
	Name    string   `json:"name"`
	Age     int      `json:"age"`
	Tags    []string `json:"tags"`
	Home    Address  `json:"home"`
	private int
}

func main() {
	u := User{Name: "Ana", Age: 30, Tags: []string{"admin"}, Home: Address{City: "Lima"}}
	b, err := json.Marshal(u)
	fmt.Println(string(b), err)
	var back User
	err = json.Unmarshal([]byte(`{"name":"Bo","age":7,"home":{"city":"Quito","zip":"170"}}`), &back)
	fmt.Printf("%+v %v\n", back, err)
	var generic map[string]any
	json.Unmarshal(b, &generic)
	fmt.Println(generic["name"], generic["age"])
}
