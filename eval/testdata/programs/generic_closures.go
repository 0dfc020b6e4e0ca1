package main

import "fmt"

// Generic functions returning closures, generic func types, and a
// memoizer over any comparable key.

type Pred[T any] func(T) bool

func Not[T any](p Pred[T]) Pred[T] {
	return func(x T) bool { return !p(x) }
}

func Counter[T comparable]() (func(T), func(T) int) {
	counts := map[T]int{}
	add := func(x T) { counts[x]++ }
	get := func(x T) int { return counts[x] }
	return add, get
}

func Memo[K comparable, V any](f func(K) V) func(K) V {
	cache := map[K]V{}
	return func(k K) V {
		if v, ok := cache[k]; ok {
			return v
		}
		v := f(k)
		cache[k] = v
		return v
	}
}

func Compose[A, B, C any](f func(A) B, g func(B) C) func(A) C {
	return func(a A) C { return g(f(a)) }
}

func main() {
	even := Pred[int](func(n int) bool { return n%2 == 0 })
	odd := Not(even)
	fmt.Println(even(4), odd(4), odd(3))
	add, get := Counter[string]()
	for _, w := range []string{"a", "b", "a"} {
		add(w)
	}
	fmt.Println(get("a"), get("b"), get("c"))
	calls := 0
	square := Memo(func(n int) int { calls++; return n * n })
	fmt.Println(square(4), square(4), square(5), calls)
	describe := Compose(func(n int) float64 { return float64(n) / 4 }, func(f float64) string { return fmt.Sprintf("%.2f", f) })
	fmt.Println(describe(3))
	fmt.Println(Not(Not(odd))(7))
}
