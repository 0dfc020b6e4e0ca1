//go:build !race

// Pools decode their workers' results in goroutines of their own, which
// resolve the notebook's types in the interpreter while the cell runs
// (see concurrent_test.go on yaegi under the race detector).

package eval

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestPoolRunsCellFunctionsInWorkers(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp"; "os")
type Point struct{ X, Y int }
func square(x int) int { return x * x }
func add(a, b int) int { return a + b }
func mirror(x int) Point { return Point{x, -x} }
scale := 10
func scaled(x int) int { return x * scale }
var parentPid = os.Getpid()
func where(x int) bool { return os.Getpid() != parentPid }
pool := mp.NewPool(2)
fmt.Println(pool.Map(square, []int{1, 2, 3}))
sq := pool.Map(square, []int{4, 5}).([]int)
fmt.Println(sq[0] + sq[1])
fmt.Println(pool.Starmap(add, [][]int{{1, 2}, {3, 4}}))
fmt.Println(pool.Apply(add, 20, 22))
r := pool.ApplyAsync(square, 9)
fmt.Println(r.Get(), r.Ready(), r.Successful())
fmt.Println(pool.Map(mirror, []int{1, 2}))
fmt.Println(pool.Map(scaled, []int{1, 2}))
fmt.Println(pool.Map(where, []int{1, 2}))
sum := 0
for it := pool.Imap(square, []int{1, 2, 3}); it.Next(); {
	sum += it.Value().(int)
}
fmt.Println("imap", sum)
for v := range pool.ImapUnordered(square, []int{2, 2}).Chan() {
	fmt.Println("chan", v)
}`)
	want := "[1 4 9]\n41\n[3 7]\n42\n81 true true\n[{1 -1} {2 -2}]\n[10 20]\n[true true]\nimap 14\nchan 4\nchan 4\n"
	if c.rec.out() != want {
		t.Fatalf("stdout %q\nwant   %q\nstderr %q", c.rec.out(), want, c.rec.err())
	}
	// A pool made in a later cell sees that cell's declarations; the old
	// pool keeps working in it.
	c = mustRun(t, s, `func cube(x int) int { return x * x * x }
pool2 := mp.NewPool(1)
fmt.Println(pool2.Map(cube, []int{1, 2, 3}), pool.Map(square, []int{6}))
pool2.Close()
pool2.Join()`)
	if c.rec.out() != "[1 8 27] [36]\n" {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
}

func TestPoolTaskPanicFailsTheCellWithTheWorkersTraceback(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "mp")
func risky(x int) int {
	if x == 2 {
		panic(fmt.Sprintf("bad item %d", x))
	}
	return x
}
pool := mp.NewPool(1)`)
	c := run(t, s, `pool.Map(risky, []int{1, 2, 3})`)
	if c.res.Err == nil {
		t.Fatal("the cell did not fail")
	}
	all := c.res.Err.Value + "\n" + strings.Join(c.res.Err.Traceback, "\n")
	for _, want := range []string{"bad item 2", "SpawnPoolWorker-", "main.risky(...)"} {
		if !strings.Contains(all, want) {
			t.Errorf("the error lacks %q:\n%s", want, all)
		}
	}
	c = mustRun(t, s, `r := pool.MapAsync(risky, []int{1, 2})
fmt.Println(r.Err() != nil, pool.Map(risky, []int{5}))`)
	if c.rec.out() != "true [5]\n" {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
}

func TestPoolProgressAndInterrupt(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp"; "time")
func slow(x int) int {
	if x < 0 {
		fmt.Println("started")
		time.Sleep(time.Hour)
	}
	return x
}
pool := mp.NewPool(1)
fmt.Println(len(pool.Map(slow, make([]int, 100), mp.Chunksize(10), mp.ShowProgress()).([]int)))`)
	if c.rec.out() != "100\n" || len(c.rec.displays) == 0 {
		t.Fatalf("stdout %q, %d displays", c.rec.out(), len(c.rec.displays))
	}
	if last := c.rec.displays[len(c.rec.displays)-1].Data["text/plain"].(string); !strings.Contains(last, "100/100") {
		t.Errorf("the bar ended as %q", last)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{}
	done := make(chan cellRun)
	go func() { done <- runWith(t, s, `pool.Map(slow, []int{-1, -1})`, rec, ctx) }()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(rec.out(), "started"); {
		if time.Now().After(deadline) {
			t.Fatalf("the task never started: %q %q", rec.out(), rec.err())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	c = <-done
	if c.res.Err == nil || c.res.Err.Name != "Interrupted" && !strings.Contains(c.res.Err.Value, "interrupted") {
		t.Fatalf("got %+v", c.res.Err)
	}
	if c := mustRun(t, s, `fmt.Println(pool.Map(slow, []int{7}))`); c.rec.out() != "[7]\n" {
		t.Fatalf("after the interrupt: %q %q", c.rec.out(), c.rec.err())
	}
}
