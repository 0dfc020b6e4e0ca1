package mp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// newTestPool makes a pool the test terminates at its end.
func newTestPool(t *testing.T, n int, opts ...PoolOption) *Pool {
	t.Helper()
	p := NewPool(n, opts...)
	t.Cleanup(p.Terminate)
	return p
}

func TestPoolMapReturnsTypedResultsInOrder(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	got := p.Map(square, []int{1, 2, 3})
	if s := fmt.Sprint(got); s != "[1 4 9]" {
		t.Errorf("Map printed %s, want [1 4 9]", s)
	}
	if _, ok := got.([]int); !ok {
		t.Errorf("Map returned a %T, want []int", got)
	}
	// Many items, several chunk sizes, an array, and no items.
	nums := make([]int, 1000)
	for i := range nums {
		nums[i] = i
	}
	for _, size := range []int{0, 1, 7, 5000} {
		sq := p.Map(square, nums, Chunksize(size)).([]int)
		for i, v := range sq {
			if v != i*i {
				t.Fatalf("chunksize %d: item %d = %d", size, i, v)
			}
		}
	}
	if got := p.Map(square, [3]int{4, 5, 6}); fmt.Sprint(got) != "[16 25 36]" {
		t.Errorf("Map of an array = %v", got)
	}
	if got := p.Map(square, []int{}).([]int); len(got) != 0 {
		t.Errorf("Map of no items = %v", got)
	}
	// Values of the notebook's types come back as such.
	pts := p.Map(makePoint, []int{1, 2}).([]point)
	if pts[1] != (point{2, -2}) {
		t.Errorf("points = %v", pts)
	}
	// A function without results gives nils.
	if got := p.Map(nothing, []int{1, 2}); fmt.Sprint(got) != "[<nil> <nil>]" {
		t.Errorf("Map of a func without results = %v", got)
	}
}

func TestPoolStarmapApplyAndAsync(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	if got := p.Starmap(add, [][]int{{1, 2}, {3, 4}}); fmt.Sprint(got) != "[3 7]" {
		t.Errorf("Starmap = %v", got)
	}
	if got := p.Starmap(add, [][]any{{1, 2}, {30, 40}}); fmt.Sprint(got) != "[3 70]" {
		t.Errorf("Starmap of [][]any = %v", got)
	}
	if got := p.Apply(add, 20, 22); got != 42 {
		t.Errorf("Apply = %v (%T)", got, got)
	}
	r := p.ApplyAsync(square, 7)
	r.Wait()
	if !r.Ready() || !r.Successful() || r.Err() != nil || r.Get() != 49 || r.Get(time.Minute) != 49 {
		t.Errorf("ApplyAsync: ready %v get %v", r.Ready(), r.Get())
	}
	m := p.MapAsync(square, []int{2, 3})
	if got := m.Get(); fmt.Sprint(got) != "[4 9]" {
		t.Errorf("MapAsync.Get = %v", got)
	}
	// Many ApplyAsync at once: each gets its own result.
	var rs []*AsyncResult
	for i := range 200 {
		rs = append(rs, p.ApplyAsync(square, i))
	}
	for i, r := range rs {
		if got := r.Get(); got != i*i {
			t.Fatalf("ApplyAsync(square, %d).Get() = %v", i, got)
		}
	}
	// Both workers take part: each task waits until two have started.
	who := map[string]bool{}
	dir := t.TempDir()
	for _, w := range p.Map(meetAt, []string{dir, dir}, Chunksize(1)).([]string) {
		who[w] = true
	}
	if len(who) != 2 {
		t.Errorf("tasks ran in %d workers, want 2: %v", len(who), who)
	}
	for w := range who {
		if !strings.HasPrefix(w, "SpawnPoolWorker-") {
			t.Errorf("worker named %q", w)
		}
	}
}

func TestPoolTaskPanicRepanicsInTheCaller(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	msg := mustPanic(t, func() { p.Map(failOnThree, []int{1, 2, 3, 4}) })
	for _, want := range []string{"three is bad", "in test target failOnThree", "SpawnPoolWorker-"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the panic lacks %q: %s", want, msg)
		}
	}
	r := p.MapAsync(failOnThree, []int{1, 3})
	var te *TaskError
	if err := r.Err(); !errors.As(err, &te) || te.Err != nil || !strings.Contains(te.Message, "three is bad") {
		t.Errorf("Err = %v", err)
	}
	if r.Successful() {
		t.Error("Successful after a panic")
	}
	a := p.ApplyAsync(failOnThree, 3)
	mustPanic(t, func() { a.Get() })
	// A returned error fails the task too.
	if err := p.ApplyAsync(halve, 3).Err(); err == nil || !strings.Contains(err.Error(), "odd number") {
		t.Errorf("halve(3) error = %v", err)
	}
	if got := p.Apply(halve, 4); got != 2 {
		t.Errorf("halve(4) = %v", got)
	}
	// The pool is still usable.
	if got := p.Map(square, []int{5}); fmt.Sprint(got) != "[25]" {
		t.Errorf("after failures Map = %v", got)
	}
	// Imap: the items before the failure come; the failed one panics.
	it := p.Imap(failOnThree, []int{1, 2, 3, 4})
	var seen []any
	for it.Next() {
		if it.Err() != nil {
			seen = append(seen, "err")
			continue
		}
		seen = append(seen, it.Value())
	}
	if fmt.Sprint(seen) != "[1 2 err 4]" {
		t.Errorf("Imap gave %v", seen)
	}
}

func TestPoolImapOrderedAndUnordered(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	var got []int
	for it := p.Imap(square, []int{1, 2, 3, 4, 5}); it.Next(); {
		got = append(got, it.Value().(int))
	}
	if fmt.Sprint(got) != "[1 4 9 16 25]" {
		t.Errorf("Imap = %v", got)
	}
	sum, seen := 0, map[int]bool{}
	for it := p.ImapUnordered(square, []int{1, 2, 3, 4, 5}, Chunksize(2)); it.Next(); {
		sum += it.Value().(int)
		seen[it.Index()] = true
	}
	if sum != 55 || len(seen) != 5 {
		t.Errorf("ImapUnordered: sum %d, items %v", sum, seen)
	}
	var fromChan []any
	for v := range p.Imap(square, []int{3, 4}).Chan() {
		fromChan = append(fromChan, v)
	}
	if fmt.Sprint(fromChan) != "[9 16]" {
		t.Errorf("Chan gave %v", fromChan)
	}
}
