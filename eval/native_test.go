package eval

import (
	"context"
	"log"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The package's other tests run the interpreter alone: the tier would build
// plugins in the background of every test that declares a function. The
// tests here turn it on for their sessions (nativeSession).
func init() {
	if os.Getenv(nativeEnv) == "" {
		os.Setenv(nativeEnv, "0")
	}
}

// nativeSession is a session with the compiled tier on, building into a
// test's own cache directory... shared by the package's tests, so that a
// plugin is built once per test binary.
func nativeSession(t *testing.T) *Session {
	t.Helper()
	s := newSession(t)
	s.native.allowed = true
	s.native.logger = log.New(os.Stderr, "native: ", 0)
	return s
}

// awaitNative waits until the builds under way have landed (or failed).
func awaitNative(t *testing.T, s *Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := s.native.waitBuilds(ctx); err != nil {
		t.Fatalf("waiting for the compiled tier's builds: %v", err)
	}
	if s.native.noTool {
		if os.Getenv("CI") == "true" {
			t.Fatal("no toolchain for the compiled tier (go, cgo) here")
		}
		t.Skip("no toolchain for the compiled tier here (install gcc and libc6-dev): the kernel stays interpreted")
	}
}

// loaded reports whether name's current definition runs compiled.
func loaded(s *Session, name string) bool {
	t := s.native
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.defs[name]
	return d != nil && d.slot != 0 && t.slots[d.slot].loaded && len(t.ready[d.slot]) == 1
}

const primes = `import "math"

func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	r := int(math.Sqrt(float64(n)))
	for i := 2; i <= r; i++ {
		if n%i == 0 {
			return false
		}
	}
	return true
}

func countPrimes(limit int) int {
	c := 0
	for i := range limit {
		if isPrime(i) {
			c++
		}
	}
	return c
}`

func TestNativeTierRunsPrimesCompiled(t *testing.T) {
	s := nativeSession(t)
	mustRun(t, s, primes)
	before := mustRun(t, s, "countPrimes(30000)").value()
	awaitNative(t, s)
	if !loaded(s, "isPrime") || !loaded(s, "countPrimes") {
		t.Fatal("the build landed but the functions have no compiled copy")
	}
	if after := mustRun(t, s, "countPrimes(30000)").value(); after != before || after != "3245" {
		t.Fatalf("interpreted %s, compiled %s, want 3245", before, after)
	}
}

// runBoth runs the same cells in a session with the tier (after its builds
// landed) and in one without, and returns the last cell of each.
func runBoth(t *testing.T, decls, call string) (interp, compiled cellRun) {
	t.Helper()
	plain := newSession(t)
	mustRun(t, plain, decls)
	interp = run(t, plain, call)
	s := nativeSession(t)
	mustRun(t, s, decls)
	awaitNative(t, s)
	compiled = run(t, s, call)
	return interp, compiled
}

// errText is an error as the notebook shows it, with the cells' numbers
// blanked (the two sessions number their cells differently).
func errText(c cellRun) string {
	if c.res.Err == nil {
		return "no error; value " + c.value() + "; out " + c.rec.out()
	}
	text := c.res.Err.Name + ": " + c.res.Err.Value + "\n" + strings.Join(c.res.Err.Traceback, "\n")
	return cellNumbers.ReplaceAllString(text, "In [N]")
}

var cellNumbers = regexp.MustCompile(`In \[\d+\]`)

// A panic deep in compiled code reads as the interpreter's: the same error
// and the same traceback, through the functions it went through.
func TestNativePanicIsTheInterpretersPanic(t *testing.T) {
	decls := `import "strconv"

func digit(s string, i int) int {
	n, err := strconv.Atoi(s[i : i+1])
	if err != nil {
		panic("not a digit: " + s[i:i+1])
	}
	return n
}

func sumDigits(s string) int {
	total := 0
	for i := 0; i <= len(s); i++ {
		total += digit(s, i)
	}
	return total
}

func div(a, b int) int {
	q := 0
	for range 1 {
		q = a / b
	}
	return q
}`
	for _, call := range []string{`sumDigits("12a4")`, `sumDigits("1234")`, `div(1, 0)`} {
		interp, compiled := runBoth(t, decls, call)
		if a, b := errText(interp), errText(compiled); a != b {
			t.Errorf("%s:\ninterpreted:\n%s\ncompiled:\n%s", call, a, b)
		}
	}
}

// Results, including errors and several results, are the same.
func TestNativeResultsAreTheSame(t *testing.T) {
	decls := `import ("strconv"; "strings"; "errors")

const sep = ","
const scale float64 = 1.5

func parse(s string) (int, error) {
	total := 0
	for _, f := range strings.Split(s, sep) {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return 0, err
		}
		total += n
	}
	if total < 0 {
		return 0, errors.New("negative")
	}
	return total, nil
}

func scaled(x float64) float64 {
	for x > 1e9 {
		x /= 2
	}
	return x * scale
}`
	for _, call := range []string{`parse("1, 2, 3")`, `parse("1, x")`, `parse("-5")`, `scaled(3)`} {
		interp, compiled := runBoth(t, decls, call)
		if a, b := errText(interp), errText(compiled); a != b {
			t.Errorf("%s:\ninterpreted: %s\ncompiled:    %s", call, a, b)
		}
	}
}

// A redefined function runs interpreted until its new build lands, and so
// does one that calls it; a redefinition to an ineligible function keeps
// its callers interpreted.
func TestNativeRedefinitionSwapsTheCopyOut(t *testing.T) {
	s := nativeSession(t)
	mustRun(t, s, "func step(n int) int { return n + 1 }\nfunc walk(n int) int { for i := 0; i < 3; i++ { n = step(n) }; return n }")
	awaitNative(t, s)
	if !loaded(s, "walk") {
		t.Fatal("walk has no compiled copy")
	}
	mustRun(t, s, "func step(n int) int { return n + 10 }")
	if loaded(s, "walk") || loaded(s, "step") {
		t.Fatal("a stale compiled copy is still in use after step was redefined")
	}
	if got := mustRun(t, s, "walk(0)").value(); got != "30" {
		t.Fatalf("walk(0) = %s right after the redefinition, want 30", got)
	}
	awaitNative(t, s)
	if !loaded(s, "walk") {
		t.Fatal("walk was not rebuilt")
	}
	if got := mustRun(t, s, "walk(0)").value(); got != "30" {
		t.Fatalf("walk(0) = %s compiled, want 30", got)
	}
	mustRun(t, s, "import \"fmt\"\nfunc step(n int) int { fmt.Print(\"\"); return n + 100 }")
	awaitNative(t, s)
	if loaded(s, "walk") {
		t.Fatal("walk runs compiled though step now prints")
	}
	if got := mustRun(t, s, "walk(0)").value(); got != "300" {
		t.Fatalf("walk(0) = %s, want 300", got)
	}
}

// Functions that print, use globals, goroutines or channels stay interpreted.
func TestNativeEligibility(t *testing.T) {
	s := nativeSession(t)
	mustRun(t, s, `import ("fmt"; "time")
var hits int
type point struct{ x int }
func prints(n int) int { fmt.Println(n); return n }
func global(n int) int { hits++; return n }
func clock(n int) int64 { return time.Now().Unix() + int64(n) }
func spawn(n int) int { ch := make(chan int, 1); ch <- n; return <-ch }
func typed(n int) point { return point{n} }
func short(n int) int { return n * 2 }
func pure(n int) int { m := map[int]int{}; for i := range n { m[i] = i * i }; return len(m) }`)
	awaitNative(t, s)
	for _, name := range []string{"prints", "global", "clock", "spawn", "typed"} {
		if loaded(s, name) {
			t.Errorf("%s runs compiled", name)
		}
	}
	if !loaded(s, "pure") {
		t.Error("pure has no compiled copy")
	}
	if loaded(s, "short") {
		t.Error("short, without loops or calls, has a compiled copy of its own")
	}
}

// An interrupt stops a compiled copy in a loop, and the next cell runs it
// again.
func TestNativeInterrupt(t *testing.T) {
	s := nativeSession(t)
	mustRun(t, s, "func spin(n int) int { for { n = n*7 + 1 } }\nfunc id(n int) int { for n < 0 { n++ }; return n }")
	awaitNative(t, s)
	if !loaded(s, "spin") {
		t.Fatal("spin has no compiled copy")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan cellRun)
	go func() { done <- runWith(t, s, "spin(1)", &recorder{}, ctx) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	c := <-done
	if c.res.Err == nil || c.res.Err.Name != "Interrupted" {
		t.Fatalf("got %+v", c.res.Err)
	}
	if got := mustRun(t, s, "id(42)").value(); got != "42" {
		t.Fatalf("after the interrupt id(42) = %s", got)
	}
}

// The notebook's switch: `//gomp:native off` runs everything interpreted.
func TestNativeSwitch(t *testing.T) {
	s := nativeSession(t)
	mustRun(t, s, "func sq(n int) int { for n < 0 { n = -n }; return n * n }")
	awaitNative(t, s)
	mustRun(t, s, "//gomp:native off\n")
	if loaded(s, "sq") {
		t.Fatal("sq still runs compiled with the tier off")
	}
	if got := mustRun(t, s, "sq(7)").value(); got != "49" {
		t.Fatalf("sq(7) = %s", got)
	}
	mustRun(t, s, "//gomp:native on\n")
	if !loaded(s, "sq") {
		t.Fatal("sq does not run compiled with the tier back on")
	}
}

// slicePanic tells compiled from interpreted code by what it recovers: Go's
// runtime words a bad slice "slice bounds out of range", yaegi words it as
// reflect does. (Semantics are compiled Go's where the copy runs.)
const slicePanic = `func slicePanic(s string) (msg string) {
	defer func() {
		switch r := recover().(type) {
		case error:
			msg = r.Error()
		case string:
			msg = r
		}
	}()
	for range 1 {
		_ = s[5:9]
	}
	return ""
}`

// The compiled copies reach processes: a child replays the session with the
// same slots and opens the same plugins from the cache.
func TestNativeInChildren(t *testing.T) {
	s := nativeSession(t)
	mustRun(t, s, slicePanic)
	awaitNative(t, s)
	if got := mustRun(t, s, `slicePanic("abc")`).value(); !strings.Contains(got, "slice bounds out of range") {
		t.Fatalf("in the kernel: %s, want the compiled runtime's words", got)
	}
	c := mustRun(t, s, `import ("fmt"; "mp")
q := mp.NewQueue()
func worker(q *mp.Queue) { q.Put(slicePanic("abc")) }
p := mp.NewProcess(worker, q)
p.Start()
fmt.Println(q.Get())
p.Join()`)
	if !strings.Contains(c.rec.out(), "slice bounds out of range") {
		t.Fatalf("in a child: %q, want the compiled runtime's words", c.rec.out())
	}
}

// A process started while its functions' build is under way (a pool made
// right after they were declared) switches to the compiled copies once the
// build lands: the child looks for the plugin in the cache.
func TestNativeChildAdoptsALateBuild(t *testing.T) {
	t.Setenv("GOMP_NATIVE_CACHE", t.TempDir()) // a cold cache: the build takes a while
	s := nativeSession(t)
	mustRun(t, s, slicePanic)
	c := mustRun(t, s, `import ("fmt"; "mp"; "strings"; "time")
func worker(q *mp.Queue) {
	for i := 0; i < 300; i++ {
		if m := slicePanic("abc"); strings.Contains(m, "out of range") {
			q.Put(m)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	q.Put("still interpreted")
}
q := mp.NewQueue()
p := mp.NewProcess(worker, q)
p.Start()
p.Join()
if p.ExitCode() == 0 {
	fmt.Println(q.Get())
} else {
	fmt.Println("the child failed with exit code", p.ExitCode())
}`)
	if !strings.Contains(c.rec.out(), "slice bounds out of range") {
		t.Fatalf("the child printed %q (stderr %q; snapshot %+v), want the compiled runtime's words", c.rec.out(), c.rec.err(), s.native.loadedCopies())
	}
}

// A build that fails leaves the functions interpreted, with one line in
// the kernel's log. (A function named like the plugin's own setup makes
// the generated package fail to compile.)
func TestNativeBuildFailureStaysInterpreted(t *testing.T) {
	s := nativeSession(t)
	var logged strings.Builder
	var mu sync.Mutex
	s.native.logger = log.New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logged.Write(p)
	}), "", 0)
	mustRun(t, s, "func GompSetup(n int) int { for n > 10 { n-- }; return n }")
	awaitNative(t, s)
	if loaded(s, "GompSetup") {
		t.Fatal("a function whose build failed has a compiled copy")
	}
	if got := mustRun(t, s, "GompSetup(15)").value(); got != "10" {
		t.Fatalf("GompSetup(15) = %s", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logged.String(), "\n"); n != 1 || !strings.Contains(logged.String(), "compiled tier: GompSetup stay interpreted: ") {
		t.Fatalf("the kernel log has %d lines:\n%s", n, logged.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// A cell already running switches to a compiled copy at its next call once
// the build lands: the loop below starts interpreted (the build, started
// when the declaring cell ended, takes a while in a cold cache) and ends
// when the copy answers.
func TestNativeSwitchesMidRun(t *testing.T) {
	t.Setenv("GOMP_NATIVE_CACHE", t.TempDir())
	s := nativeSession(t)
	late := strings.ReplaceAll(slicePanic, "slicePanic", "slicePanicLate")
	mustRun(t, s, late)
	c := mustRun(t, s, `import ("strings"; "time")
calls := 0
for ; calls < 30000; calls++ {
	if strings.Contains(slicePanicLate("abc"), "out of range") {
		break
	}
	time.Sleep(10 * time.Millisecond)
}
calls < 30000`)
	if c.value() != "true" {
		t.Fatal("the cell never saw the compiled copy")
	}
}

// The cell that declares functions runs them interpreted throughout, also
// in the processes it starts: its build starts when it ends, so a cell that
// times its own functions (lesson 00) measures one tier.
func TestNativeDeclaringCellStaysInterpreted(t *testing.T) {
	s := nativeSession(t)
	c := mustRun(t, s, slicePanic+`
import ("fmt"; "mp")
q := mp.NewQueue()
func worker(q *mp.Queue) { q.Put(slicePanic("abc")) }
p := mp.NewProcess(worker, q)
p.Start()
fmt.Println(slicePanic("abc"))
fmt.Println(q.Get())
p.Join()`)
	if strings.Contains(c.rec.out(), "slice bounds out of range") {
		t.Fatalf("the declaring cell ran a compiled copy:\n%s", c.rec.out())
	}
	awaitNative(t, s)
	if got := mustRun(t, s, `slicePanic("abc")`).value(); !strings.Contains(got, "slice bounds out of range") {
		t.Fatalf("the next cell: %s, want the compiled runtime's words", got)
	}
}
