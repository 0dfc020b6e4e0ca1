package main

import "fmt"

type Pair[K comparable, V any] struct {
	Key K
	Val V
}

func MakePair[K comparable, V any](k K, v V) Pair[K, V] { return Pair[K, V]{k, v} }

func (p Pair[K, V]) String() string { return fmt.Sprintf("%v=>%v", p.Key, p.Val) }

func Keys[K comparable, V any](ps []Pair[K, V]) []K {
	var ks []K
	for _, p := range ps {
		ks = append(ks, p.Key)
	}
	return ks
}

func main() {
	p := MakePair("x", 1.5)
	fmt.Println(p)
	ps := []Pair[int, string]{{1, "one"}, {2, "two"}}
	fmt.Println(Keys(ps))
	fmt.Println(ps)
}
