package mp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gomp/backend"
)

// The tests run real child processes: the test binary itself, which
// TestMain turns into a child (RunChild with a fake Host) when
// childModeEnv is set, or into a stand-in kernel for the tests that kill
// one (kernelModeEnv).
const (
	childModeEnv  = "MP_TEST_CHILD"
	kernelModeEnv = "MP_TEST_KERNEL"
)

func TestMain(m *testing.M) {
	if os.Getenv(childModeEnv) == "1" {
		os.Exit(RunChild(newTestHost))
	}
	// A race-enabled binary sleeps a second at exit (GORACE's
	// atexit_sleep_ms) unless told not to; the children are such binaries.
	childEnv = []string{childModeEnv + "=1", "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")}
	if os.Getenv(kernelModeEnv) == "1" {
		os.Exit(runStandInKernel())
	}
	SetHost(parentHost)
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// parentHost is the test process's Host: the "kernel".
var parentHost = &testHost{session: "session v1"}

// testHost is a Host without an interpreter: targets are Go functions of
// this test binary, found by name (testTargets), and the types that can be
// copied are the ones in testTypes.
type testHost struct {
	mu      sync.Mutex
	session string
	cell    CellInfo
}

// childBuilds counts the sessions a child built (newTestHost calls).
var childBuilds int

func newTestHost(s *Snapshot) (Host, error) {
	if strings.Contains(string(s.Session), "does not compile") {
		return nil, errors.New("the session does not compile")
	}
	childBuilds++
	return &testHost{session: string(s.Session)}, nil
}

func (h *testHost) setSession(s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.session = s
}

// setCell makes out (and the channels) the running cell's, as eval does
// when a cell starts.
func (h *testHost) setCell(c CellInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cell = c
}

func (h *testHost) Cell() CellInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cell
}

func (h *testHost) Snapshot() (*Snapshot, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return &Snapshot{
		Session: []byte(h.session),
		Globals: map[string]reflect.Value{
			"greeting": reflect.ValueOf(greeting),
			"unsent":   reflect.ValueOf(make(chan int)), // cannot be copied
		},
	}, nil
}

func (h *testHost) SetGlobal(name string, v reflect.Value) error {
	switch name {
	case "greeting":
		greeting = v.Interface().(string)
		return nil
	}
	return fmt.Errorf("no global %s", name)
}

func (h *testHost) Identify(fn reflect.Value) (Target, error) {
	if fn.Kind() == reflect.Func {
		for name, f := range testTargets {
			if reflect.ValueOf(f).Pointer() == fn.Pointer() {
				return Target{Func: name}, nil
			}
		}
		return Target{}, errors.New("a function literal cannot be a process's target: declare it with func at the top level")
	}
	if fn.Type() == reflect.TypeOf(countdown{}) {
		return Target{Func: "countdown.Run", Recv: fn}, nil
	}
	return Target{}, fmt.Errorf("a %s is not a function, and has no Run method", fn.Type())
}

func (h *testHost) Call(t Target, args []reflect.Value) (err error) {
	var fn reflect.Value
	if t.Recv.IsValid() {
		fn = t.Recv.MethodByName(strings.TrimPrefix(t.Func, "countdown."))
	} else if f, ok := testTargets[t.Func]; ok {
		fn = reflect.ValueOf(f)
	}
	if !fn.IsValid() {
		return fmt.Errorf("no target %s", t.Func)
	}
	for i, a := range args {
		if !a.IsValid() {
			args[i] = reflect.Zero(fn.Type().In(i))
		}
	}
	defer func() {
		switch r := recover().(type) {
		case nil:
		case exitPanic:
			err = &ExitRequest{Code: int(r)}
		default:
			err = &TargetPanic{Value: r, Traceback: []string{"  in test target " + t.Func}}
		}
	}()
	fn.Call(args)
	return nil
}

func (h *testHost) TypeName(t reflect.Type) (string, bool) {
	for name, tt := range testTypes {
		if tt == t {
			return name, true
		}
	}
	return "", false
}

func (h *testHost) ResolveType(name string) (reflect.Type, error) {
	if t, ok := testTypes[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("unknown type %s", name)
}

var testTypes = map[string]reflect.Type{
	"int":            reflect.TypeOf(0),
	"string":         reflect.TypeOf(""),
	"float64":        reflect.TypeOf(0.0),
	"bool":           reflect.TypeOf(false),
	"[]int":          reflect.TypeOf([]int(nil)),
	"map[string]int": reflect.TypeOf(map[string]int(nil)),
	"point":          reflect.TypeOf(point{}),
	"countdown":      reflect.TypeOf(countdown{}),
}

// recorder is a cell's Output: it keeps what the cell's children print.
type recorder struct {
	mu      sync.Mutex
	streams map[string]*strings.Builder
	changed chan struct{} // closed and replaced at each write
}

func newRecorder() *recorder {
	return &recorder{streams: map[string]*strings.Builder{}, changed: make(chan struct{})}
}

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.streams[name]
	if b == nil {
		b = &strings.Builder{}
		r.streams[name] = b
	}
	b.WriteString(text)
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) Display(backend.Display) {}
func (r *recorder) ClearOutput(bool)        {}
func (r *recorder) Input(context.Context, string, bool) (string, error) {
	return "", backend.ErrNoStdin
}

func (r *recorder) text(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.streams[name]; b != nil {
		return b.String()
	}
	return ""
}

// waitFor waits until the stream contains want (failing the test after a
// long deadline: it is a guard against hanging, not a timing assertion).
func (r *recorder) waitFor(t *testing.T, name, want string) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		got := ""
		if b := r.streams[name]; b != nil {
			got = b.String()
		}
		changed := r.changed
		r.mu.Unlock()
		if strings.Contains(got, want) {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("%s never showed %q; it has %q", name, want, got)
		}
	}
}

// inCell runs the rest of the test as if in a new cell whose output is a
// new recorder; it returns the recorder and the cell's interrupt.
func inCell(t *testing.T) (*recorder, func()) {
	t.Helper()
	rec := newRecorder()
	interrupted := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	interrupt := func() {
		once.Do(func() {
			close(interrupted)
			cancel()
		})
	}
	parentHost.setCell(CellInfo{ID: time.Now().UnixNano(), Output: rec, Interrupted: interrupted, Context: ctx})
	t.Cleanup(func() {
		cancel()
		parentHost.setCell(CellInfo{})
	})
	return rec, interrupt
}

// mustPanic runs f and returns its panic's message, failing if it does not
// panic.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic")
		}
		msg = fmt.Sprint(r)
	}()
	f()
	return ""
}

// joined starts a process, joins it and returns it.
func joined(t testing.TB, p *Process) *Process {
	t.Helper()
	p.Start()
	p.Join()
	if p.IsAlive() {
		t.Fatalf("%s is alive after Join", p.Name)
	}
	return p
}
