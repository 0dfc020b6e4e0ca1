//go:build !race

// These tests run interpreted goroutines that share closures with the cell
// that started them. yaegi v0.16.1's own closure and frame code races there
// (getFunc reads a frame slot that other goroutines write under a lock it
// does not take; see its issue tracker on -race reports), so under the race
// detector they would report yaegi's races, not ours. test.sh runs this
// package a second time without -race so that they run in CI.

package eval

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoopVariablesPerIteration(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "sort"; "sync")
var mu sync.Mutex
var got []int
var wg sync.WaitGroup
for i := 0; i < 3; i++ {
	wg.Add(1)
	go func() { defer wg.Done(); mu.Lock(); got = append(got, i); mu.Unlock() }()
}
for _, v := range []int{10, 20} {
	wg.Add(1)
	go func() { defer wg.Done(); mu.Lock(); got = append(got, v); mu.Unlock() }()
}
wg.Wait()
sort.Ints(got)
fmt.Println(got)`)
	if c.rec.out() != "[0 1 2 10 20]\n" {
		t.Fatalf("got %q", c.rec.out())
	}
}

// At a cell's top level too, a loop's closures share their iteration's
// variable with the body, and the value the body leaves carries over,
// through continue as well.
func TestLoopVariablesSharedWithTheBodyAtTopLevel(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import "fmt"
var fs []func() int
var ps []*int
for i := 0; i < 8; i++ {
	if i%3 == 0 {
		fs = append(fs, func() int { return i })
		i++
		continue
	}
	inc := func() { i += 10 }
	ps = append(ps, &i)
	inc()
}
for _, s := range []string{"a", "bb"} {
	fs = append(fs, func() int { return len(s) })
}
for _, f := range fs { fmt.Print(f(), " ") }
for _, p := range ps { fmt.Print(*p, " ") }`)
	// As go run: the first closure sees the 1 its body left, &i is 2 and then
	// 12 through the closure, and 13 ends the loop.
	if got, want := c.rec.out(), "1 1 2 12 "; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestGoroutinePanicFailsTheCellNotTheKernel(t *testing.T) {
	s := newSession(t)
	c := run(t, s, "import \"time\"\ngo func() { panic(\"in goroutine\") }()\ntime.Sleep(5 * time.Second)")
	if c.res.Err == nil || c.res.Err.Name != "panic" || !strings.Contains(c.res.Err.Value, "in goroutine") {
		t.Fatalf("got %+v", c.res.Err)
	}
	mustRun(t, s, "1")
}

func TestInterruptSaysWhenEarlierGoroutinesStop(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "started := make(chan bool)\ngo func() { started <- true; <-make(chan int) }()\n<-started")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan cellRun)
	go func() { done <- runWith(t, s, "for {}", &recorder{}, ctx) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	c := <-done
	if c.res.Err == nil || !strings.Contains(c.res.Err.Value, "1 goroutine started by an earlier cell was stopped too") {
		t.Fatalf("got %+v (alive %d, earlier %d)", c.res.Err, s.goroutines.Load(), s.earlierStopped)
	}
}

func TestInterruptStopsWaitGroupAndMutexWaits(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "import \"sync\"\nvar wg sync.WaitGroup\nvar mu sync.Mutex")
	// They still work as sync's do.
	c := mustRun(t, s, "n := 0\nfor range 50 { wg.Add(1); go func() { defer wg.Done(); mu.Lock(); n++; mu.Unlock() }() }\nwg.Wait()\nn")
	if c.value() != "50" {
		t.Fatalf("n = %s", c.value())
	}
	var l sync.Locker = &Mutex{}
	l.Lock()
	l.Unlock()
	for _, code := range []string{"wg.Add(1)\nwg.Wait()", "mu.Lock()\nmu.Lock()"} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan cellRun)
		go func() { done <- runWith(t, s, code, &recorder{}, ctx) }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		if c := <-done; c.res.Err == nil || c.res.Err.Name != "Interrupted" {
			t.Fatalf("%q: %+v", code, c.res.Err)
		}
	}
}

// What a goroutine prints goes under the cell that started it, also while
// a later cell runs; its late panic is reported there too and does not
// fail the cell running then (issue "Reliability", item 7).
func TestGoroutineOutputBelongsToItsCell(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "fmt"
ready, done := make(chan bool), make(chan bool)
ready2, done2 := make(chan bool), make(chan bool)`)
	first := &recorder{}
	if c := runWith(t, s, `go func() {
	<-ready
	fmt.Println("late from the first cell")
	go func() { fmt.Println("and from its own goroutine"); done <- true }()
}()`, first, context.Background()); c.res.Err != nil {
		t.Fatal(c.res.Err)
	}
	second := mustRun(t, s, "ready <- true\n<-done\nfmt.Println(\"second\")")
	if second.rec.out() != "second\n" {
		t.Fatalf("the second cell got %q", second.rec.out())
	}
	if first.out() != "late from the first cell\nand from its own goroutine\n" {
		t.Fatalf("the first cell got %q", first.out())
	}

	third := &recorder{}
	runWith(t, s, `go func() {
	defer func() { done2 <- true }()
	<-ready2
	panic("late boom")
}()`, third, context.Background())
	fourth := run(t, s, "ready2 <- true\n<-done2\nfmt.Println(\"fourth\")")
	if fourth.res.Err != nil || fourth.rec.out() != "fourth\n" {
		t.Fatalf("the fourth cell: %+v %q", fourth.res.Err, fourth.rec.out())
	}
	for !strings.Contains(third.err(), "late boom") {
		time.Sleep(10 * time.Millisecond) // the report follows the panic
	}
}
