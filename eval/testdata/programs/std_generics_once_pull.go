package main

import (
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
)

type NotFound struct{ Key string }

func (e *NotFound) Error() string { return "not found: " + e.Key }

type Busy struct{ Retry int }

func (b Busy) Error() string { return fmt.Sprintf("busy, retry in %ds", b.Retry) }

func lookup(key string) error {
	if key == "busy" {
		return fmt.Errorf("lookup: %w", Busy{3})
	}
	return fmt.Errorf("lookup %q: %w", key, &NotFound{key})
}

func countdown(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := n; i > 0; i-- {
			if !yield(i) {
				fmt.Println("countdown stopped at", i)
				return
			}
		}
	}
}

func main() {
	// sync.OnceValues: one call, the same results ever after.
	load := sync.OnceValues(func() (map[string]int, error) {
		fmt.Println("loading")
		return map[string]int{"a": 1}, nil
	})
	for range 3 {
		m, err := load()
		fmt.Println(m["a"], err)
	}
	// A panicking OnceValue panics again at every call.
	bad := sync.OnceValue(func() int { panic("no config") })
	for range 2 {
		func() {
			defer func() { fmt.Println("recovered:", recover()) }()
			bad()
		}()
	}

	// iter.Pull and Pull2, stopped early and run out.
	next, stop := iter.Pull(countdown(5))
	a, _ := next()
	b, _ := next()
	fmt.Println("pulled", a, b)
	stop()
	v, ok := next()
	fmt.Println("after stop:", v, ok)
	keys := slices.Sorted(maps.Keys(map[string]bool{"x": true, "y": true}))
	next2, stop2 := iter.Pull2(slices.All(keys))
	defer stop2()
	for {
		i, k, ok := next2()
		if !ok {
			break
		}
		fmt.Println(i, k)
	}

	// errors.AsType and errors.As through %w, with pointer and value errors.
	for _, key := range []string{"ana", "busy"} {
		err := lookup(key)
		if nf, ok := errors.AsType[*NotFound](err); ok {
			fmt.Println("missing key", nf.Key)
		}
		var busy Busy
		if errors.As(err, &busy) {
			fmt.Println("retry after", busy.Retry)
		}
		_, isBusy := errors.AsType[Busy](err)
		fmt.Println(err, isBusy)
	}
}
