package codec

import (
	"reflect"
	"strings"
	"testing"
)

type pair struct{ A, B *Point }

type node struct {
	V    int
	Next *node
	Any  any
}

func TestAliasingSurvives(t *testing.T) {
	w := newWorld("a", nil)
	w.names[reflect.TypeFor[pair]()] = "pair"
	w.types["pair"] = reflect.TypeFor[pair]()
	p := &Point{1, 2}
	got := roundTrip(t, pair{p, p}, w, w).(pair)
	if got.A != got.B || *got.A != *p {
		t.Errorf("two pointers to one Point came back as %p and %p", got.A, got.B)
	}
	// Across the values of one message too (a process's arguments).
	b, err := EncodeValues([]reflect.Value{reflect.ValueOf(p), reflect.ValueOf([]*Point{p})}, w.enc())
	if err != nil {
		t.Fatal(err)
	}
	vs, err := DecodeValues(b, w.dec())
	if err != nil {
		t.Fatal(err)
	}
	if vs[0].Interface().(*Point) != vs[1].Interface().([]*Point)[0] {
		t.Error("a pointer shared by two arguments came back as two")
	}
	// The same map twice is one map.
	m := map[string]int{"a": 1}
	ms := roundTrip(t, []map[string]int{m, m}, w, w).([]map[string]int)
	ms[0]["b"] = 2
	if ms[1]["b"] != 2 {
		t.Error("a map sent twice came back as two maps")
	}
}

func TestCyclesWork(t *testing.T) {
	w := newWorld("a", nil)
	w.names[reflect.TypeFor[node]()] = "node"
	w.types["node"] = reflect.TypeFor[node]()

	ring := &node{V: 1}
	ring.Next = &node{V: 2, Next: ring}
	ring.Any = ring.Next // through an interface too
	got := roundTrip(t, ring, w, w).(*node)
	if got.V != 1 || got.Next.V != 2 || got.Next.Next != got || got.Any.(*node) != got.Next {
		t.Errorf("ring came back broken: %+v", got)
	}
	self := &node{}
	self.Next = self
	if s := roundTrip(t, self, w, w).(*node); s.Next != s {
		t.Error("a self-pointer came back broken")
	}
	// A map that holds itself.
	m := map[string]any{"n": 1}
	m["self"] = m
	gm := roundTrip(t, m, w, w).(map[string]any)
	if reflect.ValueOf(gm["self"]).Pointer() != reflect.ValueOf(gm).Pointer() {
		t.Error("a map holding itself came back broken")
	}
	// A long chain is fine; a cycle through a slice (no pointer to stop
	// at) is an error, not a stack overflow.
	var head *node
	for i := range 5000 {
		head = &node{V: i, Next: head}
	}
	if got := roundTrip(t, head, w, w).(*node); got.V != 4999 || got.Next.V != 4998 {
		t.Error("long chain broken")
	}
	s := []any{nil}
	s[0] = s
	_, err := Encode(s, w.enc())
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("slice cycle: %v", err)
	}
}
