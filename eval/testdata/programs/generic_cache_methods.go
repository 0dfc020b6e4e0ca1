package main

import (
	"fmt"
	"sort"
)

// A generic type with several methods, a constructor, a method returning
// another instance, and %v / %+v / %T of its values.

type Cache[K comparable, V any] struct {
	data  map[K]V
	order []K
	limit int
}

func NewCache[K comparable, V any](limit int) *Cache[K, V] {
	return &Cache[K, V]{data: map[K]V{}, limit: limit}
}

func (c *Cache[K, V]) Put(k K, v V) {
	if _, ok := c.data[k]; !ok {
		c.order = append(c.order, k)
	}
	c.data[k] = v
	if len(c.order) > c.limit {
		oldest := c.order[0]
		c.order = c.order[1:]
		delete(c.data, oldest)
	}
}

func (c *Cache[K, V]) Get(k K) (V, bool) {
	v, ok := c.data[k]
	return v, ok
}

func (c *Cache[K, V]) Len() int { return len(c.data) }

// Keys returns the keys, as a Pair list, in insertion order.
func (c *Cache[K, V]) Pairs() []Pair[K, V] {
	var out []Pair[K, V]
	for _, k := range c.order {
		out = append(out, Pair[K, V]{k, c.data[k]})
	}
	return out
}

type Pair[K comparable, V any] struct {
	Key K
	Val V
}

func (p Pair[K, V]) String() string { return fmt.Sprintf("%v=%v", p.Key, p.Val) }

func main() {
	c := NewCache[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("a", 10)
	c.Put("c", 3)
	v, ok := c.Get("a")
	_, okB := c.Get("b")
	fmt.Println(v, ok, okB, c.Len())
	fmt.Println(c.Pairs())
	ps := c.Pairs()
	sort.Slice(ps, func(i, j int) bool { return ps[i].Val > ps[j].Val })
	fmt.Printf("%v %+v %T\n", ps[0], ps[1], c)
	ids := NewCache[int, []string](1)
	ids.Put(7, []string{"x", "y"})
	fmt.Printf("%T %v\n", ids, ids.Pairs())
}
