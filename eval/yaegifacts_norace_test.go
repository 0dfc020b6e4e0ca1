//go:build !race

// The yaegi facts of DESIGN.md that need interpreted goroutines (see
// yaegifacts_test.go for the others). yaegi v0.16.1 races internally on
// interpreted goroutines sharing closures (see concurrent_test.go), so like
// those tests these are built only without -race; test.sh runs ./eval a
// second time without it.

package eval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
)

// stackGuard bounds the waits below, which end on an event (a goroutine
// gone, a value seen); it is never what a test measures.
const stackGuard = 20 * time.Second

// currentGoroutine reads the calling goroutine's id from its stack header.
func currentGoroutine() string {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	f := strings.Fields(string(buf[:n]))
	return f[1]
}

// goroutineGone waits until the goroutine with that id has ended, or the
// guard passes; it reports whether it ended.
func goroutineGone(id string) bool {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(stackGuard); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		n := runtime.Stack(buf, true)
		if !bytes.Contains(buf[:n], []byte("goroutine "+id+" [")) {
			return true
		}
	}
	return false
}

// stackOf returns the stack of the goroutine with that id, "" if none.
func stackOf(id string) string {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if strings.HasPrefix(g, "goroutine "+id+" [") {
			return g
		}
	}
	return ""
}

// hooks are compiled functions the raw interpreter's code calls, so the test
// can see which goroutine runs interpreted code and when.
type hooks struct {
	entered chan string // a goroutine's id, each time it calls Here
	release chan struct{}
}

func newHooks() *hooks {
	return &hooks{entered: make(chan string, 100), release: make(chan struct{})}
}

// exports gives the hooks to the interpreter as package name.
func (h *hooks) exports(name string) interp.Exports {
	return interp.Exports{name + "/" + name: {
		// Here says which goroutine is here, and waits for Release.
		"Here": reflect.ValueOf(func() { h.entered <- currentGoroutine(); <-h.release }),
		// Mark says which goroutine is here, and goes on.
		"Mark": reflect.ValueOf(func() {
			select {
			case h.entered <- currentGoroutine():
			default:
			}
		}),
	}}
}

// The cancel of EvalWithContext stops an interpreted `for {}` loop: the
// goroutine that ran it ends. gomp's interrupt builds on it
// (TestInterruptStopsBlockingCells).
func TestYaegiFactCancelStopsAForLoop(t *testing.T) {
	h := newHooks()
	r := newRawYaegi(t, h.exports("hooks"))
	r.mustEval(t, `import "hooks"`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := r.in.EvalWithContext(ctx, "for { hooks.Mark() }"); done <- err }()
	id := <-h.entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("raw yaegi: EvalWithContext returned %v, want context.Canceled", err)
	}
	if !goroutineGone(id) {
		t.Fatalf("raw yaegi: the loop's goroutine still runs after the cancel:\n%s", stackOf(id))
	}

	s := newSession(t)
	c := interruptAfterStart(t, s, "for {}")
	if c.res.Err == nil || c.res.Err.Name != "Interrupted" {
		t.Fatalf("session: %+v", c.res.Err)
	}
	mustRun(t, s, "1")
}

// The cancel of one EvalWithContext also stops the goroutines that earlier
// evaluations started. gomp cannot undo that, and says so in the error
// (TestInterruptSaysWhenEarlierGoroutinesStop).
func TestYaegiFactCancelStopsEarlierCellsGoroutines(t *testing.T) {
	h := newHooks()
	loop := newHooks()
	r := newRawYaegi(t, h.exports("hooks"), loop.exports("loop"))
	r.mustEval(t, `import ("hooks"; "loop")`, "go func() { for { hooks.Here() } }()")
	id := <-h.entered // the earlier cell's goroutine, waiting in Here
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := r.in.EvalWithContext(ctx, "for { loop.Mark() }"); done <- err }()
	<-loop.entered // the later cell runs
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("raw yaegi: EvalWithContext returned %v", err)
	}
	close(h.release) // the earlier goroutine returns from Here into stopped interpreted code
	ended := make(chan bool, 1)
	go func() { ended <- goroutineGone(id) }()
	select {
	case again := <-h.entered:
		t.Fatalf("raw yaegi: goroutine %s of an earlier evaluation went on after another's cancel (it is back in Here)", again)
	case gone := <-ended:
		if !gone {
			t.Fatalf("raw yaegi: goroutine %s neither ended nor went on:\n%s", id, stackOf(id))
		}
	}

	s := newSession(t)
	mustRun(t, s, "started := make(chan bool)\ngo func() { started <- true; <-make(chan int) }()\n<-started")
	c := interruptAfterStart(t, s, "for {}")
	if c.res.Err == nil || !strings.Contains(c.res.Err.Value, "1 goroutine started by an earlier cell was stopped too") {
		t.Fatalf("session: %+v", c.res.Err)
	}
}

// The cancel does not wake a native blocking call: EvalWithContext returns,
// and the goroutine stays in time.Sleep, sync.Mutex.Lock or
// sync.WaitGroup.Wait. gomp gives cells an interruptible
// time.Sleep (and sync's waits; TestInterruptStopsWaitGroupAndMutexWaits).
func TestYaegiFactCancelDoesNotWakeBlockingCalls(t *testing.T) {
	h := newHooks()
	r := newRawYaegi(t, h.exports("hooks"))
	r.mustEval(t, `import ("hooks"; "time")`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// Three seconds: long enough to be seen sleeping after the cancel, and
	// the goroutine ends soon after the test.
	go func() { _, err := r.in.EvalWithContext(ctx, "hooks.Mark()\ntime.Sleep(3 * time.Second)"); done <- err }()
	id := <-h.entered
	for deadline := time.Now().Add(stackGuard); !strings.Contains(stackOf(id), "time.Sleep"); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("raw yaegi: the cell never reached time.Sleep:\n%s", stackOf(id))
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("raw yaegi: EvalWithContext returned %v", err)
	}
	if st := stackOf(id); !strings.Contains(st, "time.Sleep") {
		t.Fatalf("raw yaegi: after the cancel the sleeping goroutine is not in time.Sleep any more:\n%s", st)
	}
	// sync's waits likewise; a later evaluation lets them go, so that the
	// goroutines end with the test.
	for _, wait := range []struct{ decl, block, in, unblock string }{
		{"var mu sync.Mutex", "mu.Lock()\nmu.Lock()", "sync.(*Mutex).Lock", "mu.Unlock()"},
		{"var wg sync.WaitGroup", "wg.Add(1)\nwg.Wait()", "sync.(*WaitGroup).Wait", "wg.Done()"},
	} {
		h := newHooks()
		r := newRawYaegi(t, h.exports("hooks"))
		r.mustEval(t, `import ("hooks"; "sync")`, wait.decl)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := r.in.EvalWithContext(ctx, "hooks.Mark()\n"+wait.block); done <- err }()
		id := <-h.entered
		for deadline := time.Now().Add(stackGuard); !strings.Contains(stackOf(id), wait.in); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("raw yaegi: the cell never reached %s:\n%s", wait.in, stackOf(id))
			}
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("raw yaegi: EvalWithContext returned %v", err)
		}
		if st := stackOf(id); !strings.Contains(st, wait.in) {
			t.Fatalf("raw yaegi: after the cancel the goroutine is not in %s any more:\n%s", wait.in, st)
		}
		r.mustEval(t, wait.unblock)
		if !goroutineGone(id) {
			t.Fatalf("raw yaegi: the goroutine waiting in %s did not end once let go:\n%s", wait.in, stackOf(id))
		}
	}

	s := newSession(t)
	mustRun(t, s, "import (\"sync\"; \"time\")\nvar mu sync.Mutex\nvar wg sync.WaitGroup")
	for _, code := range []string{"time.Sleep(time.Hour)", "mu.Lock()\nmu.Lock()", "wg.Add(1)\nwg.Wait()"} {
		c := interruptAfterStart(t, s, code)
		if c.res.Err == nil || c.res.Err.Name != "Interrupted" {
			t.Fatalf("session: %q: %+v", code, c.res.Err)
		}
	}
}

// go statements in a loop share its variable too. gomp gives each iteration
// its own for go statements; closures, defer and &i are issue 10 item 4.
func TestYaegiFactLoopVariablesSharedByGoroutines(t *testing.T) {
	var mu sync.Mutex
	var got []int
	record := interp.Exports{"record/record": {"Int": reflect.ValueOf(func(n int) {
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
	})}}
	r := newRawYaegi(t, record)
	// The goroutines wait for the loop to end, so what they see does not
	// depend on when they run.
	r.mustEval(t, `import ("record"; "sync")`, "var wg sync.WaitGroup\nvar start = make(chan bool)",
		"for i := 0; i < 3; i++ { wg.Add(1); go func() { defer wg.Done(); <-start; record.Int(i) }() }",
		"close(start)", "wg.Wait()")
	if !slices.Equal(got, []int{3, 3, 3}) {
		t.Fatalf("raw yaegi: goroutines saw %v, want [3 3 3]", got)
	}

	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "sort"; "sync")
var wg sync.WaitGroup
start := make(chan bool)
seen := make(chan int, 3)
for i := 0; i < 3; i++ { wg.Add(1); go func() { defer wg.Done(); <-start; seen <- i }() }
close(start)
wg.Wait()
close(seen)
var xs []int
for v := range seen { xs = append(xs, v) }
sort.Ints(xs)
fmt.Println(xs)`)
	if c.rec.out() != "[0 1 2]\n" {
		t.Fatalf("session printed %q", c.rec.out())
	}
}

// The process-crashing goroutine panic (TestYaegiFactGoroutinePanicCrashesTheProcess)
// fails the cell in gomp, and the session goes on.
func TestYaegiFactGoroutinePanicFailsOnlyTheCell(t *testing.T) {
	s := newSession(t)
	c := run(t, s, "import \"time\"\ngo func() { panic(\"boom in a goroutine\") }()\ntime.Sleep(time.Hour)")
	if c.res.Err == nil || c.res.Err.Name != "panic" || !strings.Contains(c.res.Err.Value, "boom in a goroutine") {
		t.Fatalf("session: %+v", c.res.Err)
	}
	if c := mustRun(t, s, "40 + 2"); c.value() != "42" {
		t.Fatalf("session after the panic: %q", c.value())
	}
}

// interruptAfterStart runs code in the session and interrupts it once it
// has begun (a moment after Execute is called; an interrupt that came first
// would also end it as Interrupted).
func interruptAfterStart(t *testing.T, s *Session, code string) cellRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan cellRun, 1)
	go func() { done <- runWith(t, s, code, &recorder{}, ctx) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case c := <-done:
		return c
	case <-time.After(stackGuard):
		t.Fatalf("the session did not stop %q", code)
		return cellRun{}
	}
}

// Deferring a call of a func value declared in the same function deadlocks
// the goroutine once the deferred call has run: yaegi's getFunc takes a
// frame lock that the deferring frame already holds (yaegi issue 1697, open
// for v0.16.1). The goroutine never ends, so the fact is seen in a child
// process (this test binary again, with yaegiFactEnv set). gomp has no
// workaround; the kernel hangs until interrupted (differential programs
// defer_local_closure.go and course_pipeline_cancel.go).
func TestYaegiFactDeferredLocalClosureDeadlocks(t *testing.T) {
	if os.Getenv(yaegiFactEnv) == "defer-local-closure" {
		h := newHooks()
		r := newRawYaegi(t, h.exports("hooks"))
		r.mustEval(t, `import "hooks"`,
			"func work() {\n\tcleanup := func() { hooks.Mark() }\n\tdefer cleanup()\n}")
		go func() {
			r.eval("work()\nhooks.Mark()")
		}()
		id := <-h.entered // the deferred call ran
		for deadline := time.Now().Add(stackGuard); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			select {
			case <-h.entered:
				fmt.Println("work returned")
				return
			default:
			}
			if st := stackOf(id); strings.Contains(st, "sync.(*RWMutex).Lock") && strings.Contains(st, "interp.getFunc") {
				fmt.Println("deadlocked in getFunc")
				return
			}
		}
		fmt.Println("neither returned nor deadlocked:\n" + stackOf(id))
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestYaegiFactDeferredLocalClosureDeadlocks$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), yaegiFactEnv+"=defer-local-closure")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "deadlocked in getFunc") {
		t.Fatalf("raw yaegi: the child ended with %v (want a deadlock in getFunc):\n%s", err, out)
	}
}
