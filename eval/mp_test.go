package eval

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"gomp/mp"
)

// TestMain lets the test binary be an mp child: mp starts children by
// running this binary with the "child" command, as the gomp binary is.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		os.Exit(mp.RunChild(NewChildHost))
	}
	os.Exit(m.Run())
}

func TestProcessesRunCellFunctionsInChildren(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp"; "os")
type Job struct{ Name string; n int }
func (j Job) Label() string { return fmt.Sprintf("%s#%d", j.Name, j.n) }
greeting := "hola"
parentPid := os.Getpid()
func worker(j Job, times int) {
	for i := range times {
		fmt.Println(greeting, j.Label(), i, os.Getppid() == parentPid)
	}
	fmt.Fprintln(os.Stderr, "done", j.Label())
}
p := mp.NewProcess(worker, Job{"w", 7}, 2)
p.Start()
p.Join()
fmt.Println("exit", p.ExitCode(), p.Pid() != parentPid)`)
	want := "hola w#7 0 true\nhola w#7 1 true\nexit 0 true\n"
	if c.rec.out() != want || c.rec.err() != "done w#7\n" {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
}

// A target whose parameters have no names (func f(int)) is identified and
// runs (yaegi gives unnamed parameters no slot; the rewrite names them).
func TestTargetWithUnnamedParameters(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp")
func tick(int, string) { fmt.Println("tick") }
p := mp.NewProcess(tick, 3, "x")
p.Start()
p.Join()
f := func(int) int { return 7 }
fmt.Println(p.ExitCode(), f(1))`)
	if c.rec.out() != "tick\n0 7\n" {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
}

func TestProcessExitCodesAndTracebacks(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp"; "os"; "time")
func fails() {
	panic("child failed")
}
func exits() { os.Exit(3) }
func sleeps() { time.Sleep(time.Hour) }
a, b, d := mp.NewProcess(fails), mp.NewProcess(exits), mp.NewProcess(sleeps)
a.Start(); b.Start(); d.Start()
a.Join(); b.Join()
d.Terminate(); d.Join()
fmt.Println(a.ExitCode(), b.ExitCode(), d.ExitCode())`)
	if c.rec.out() != "1 3 -15\n" {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
	for _, want := range []string{"panic: child failed", "goroutine 1 [running]:", "main.fails(...)", ", line 3\n", `panic("child failed")`} {
		if !strings.Contains(c.rec.err(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, c.rec.err())
		}
	}
}

func TestClosureTargetFailsLoudly(t *testing.T) {
	s := newSession(t)
	c := run(t, s, "import \"mp\"\np := mp.NewProcess(func() {})\np.Start()")
	if c.res.Err == nil || !strings.Contains(c.res.Err.Value, "closure") {
		t.Fatalf("got %+v", c.res.Err)
	}
}

func TestProcessSubclassAndNestedChildren(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp")
type Greeter struct{ Who string }
func (g Greeter) Run() {
	fmt.Println("hello from", mp.CurrentProcess().Name, "to", g.Who)
	inner := mp.NewProcess(leaf)
	inner.Start()
	inner.Join()
}
func leaf() { fmt.Println("leaf in", mp.CurrentProcess().Name, "child of", mp.ParentProcess().Name) }
p := &mp.Process{Target: Greeter{"ana"}, Name: "Saludo"}
p.Start()
p.Join()`)
	want := "hello from Saludo to ana\nleaf in Process-"
	if !strings.HasPrefix(c.rec.out(), want) || !strings.Contains(c.rec.out(), "child of Saludo") {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
	_ = fmt.Sprint
}

// Globals of sync types survive a rebuild of the interpreter with their
// value, and a child process gets them in their zero state (a sync.Mutex
// is one process's; mp.Lock is the shared one), so a target that locks a
// global mutex runs in the child.
func TestSyncGlobalsSurviveRebuildsAndReachChildren(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "mp"; "sync")
var mu sync.Mutex
var wg sync.WaitGroup
total := 0
func add(n int) { mu.Lock(); defer mu.Unlock(); total += n }
func f() int { return 1 }`)
	mustRun(t, s, "func f() int { return 2 }") // a redefinition: the interpreter is rebuilt
	c := mustRun(t, s, `mu.Lock()
mu.Unlock()
wg.Add(1)
go func() { defer wg.Done(); add(3) }()
wg.Wait()
func child(n int) { add(n); fmt.Println("child total", total) }
p := mp.NewProcess(child, 4)
p.Start()
p.Join()
fmt.Println(f(), total, p.ExitCode())`)
	if c.rec.out() != "child total 7\n2 3 0\n" {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
}
