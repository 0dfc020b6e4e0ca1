package codec

import (
	"reflect"
	"sync"
	"testing"
)

// The codec is used by every goroutine of a process at once (queues, pipes,
// process starts): its caches and pools must be safe, and a message must
// not see another's state. Run with -race.
func TestConcurrentUse(t *testing.T) {
	a, b := twoWorlds()
	p := build(a, "Point2", 1, 2).Interface()
	values := []any{1, "s", []int{1, 2}, map[string]any{"k": []any{1.5}}, p, []any{p, 2}, &Tree{Value: 1}}
	// Worlds are maps: give each goroutine its own, like processes.
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := a, b
			if g > 0 {
				from, to = twoWorldsSharing(a), twoWorldsSharing(b)
			}
			for i := range 200 {
				v := values[(g+i)%len(values)]
				enc, err := Encode(v, EncodeOptions{Namer: from})
				if err != nil {
					t.Error(err)
					return
				}
				got, err := Decode(enc, DecodeOptions{Resolver: to})
				if err != nil {
					t.Error(err)
					return
				}
				if reflect.TypeOf(got) == reflect.TypeOf(p) && got == p { // b's Point2 is another type
					t.Error("decoded into the sender's type")
				}
			}
		}()
	}
	wg.Wait()
}

// twoWorldsSharing copies a world's tables (its types stay the same).
func twoWorldsSharing(w *world) *world {
	c := &world{names: map[reflect.Type]string{}, types: map[string]reflect.Type{}}
	for k, v := range w.names {
		c.names[k] = v
	}
	for k, v := range w.types {
		c.types[k] = v
	}
	return c
}
