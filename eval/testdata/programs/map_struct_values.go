package main

import "fmt"

type account struct {
	Owner   string
	Balance float64
}

func main() {
	accts := map[int]*account{1: {"ana", 10}, 2: {"bo", 5}}
	accts[1].Balance += 2.5
	fmt.Println(*accts[1], *accts[2])
	byVal := map[string]account{"x": {"x", 1}}
	a := byVal["x"]
	a.Balance = 100
	fmt.Println(byVal["x"].Balance, a.Balance)
	byVal["x"] = a
	fmt.Printf("%+v\n", byVal)
}
