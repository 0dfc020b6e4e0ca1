package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gomp/backend"
)

// The tests start the test binary itself as the session process: with
// sessionEnv set, TestMain serves fakeInterp on the inherited channel
// instead of running tests. Its cells do for real what students' cells do
// by mistake (concurrent map writes, endless recursion, os.Exit).
const sessionEnv = "GOMP_REMOTE_TEST_SESSION"

func TestMain(m *testing.M) {
	switch os.Getenv(sessionEnv) {
	case "1":
		os.Exit(serveFake())
	case "eval":
		os.Exit(serveEval())
	}
	os.Exit(m.Run())
}

// sessionConn is the fake session's channel, for the cell that writes
// garbage on it.
var sessionConn net.Conn

func serveFake() int {
	c, err := InheritedConn()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sessionConn = c
	debug.SetMaxStack(64 << 20) // a real stack overflow, sooner than at 1 GB
	if err := Serve(c, &fakeInterp{release: make(chan struct{}), die: make(chan struct{})}); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 1
	}
	return 0
}

type fakeInterp struct {
	logMu   sync.Mutex
	log     []byte // its replay log: what the last "remember" cell said
	once    sync.Once
	release chan struct{} // closed by the "release" cell
	dieOnce sync.Once
	die     chan struct{} // closed by Complete("die")
}

func (f *fakeInterp) Info() backend.LanguageInfo {
	return backend.LanguageInfo{Name: "fake", Version: "1", Banner: fmt.Sprint(os.Getpid())}
}

func ok(v string) backend.ExecuteResult {
	return backend.ExecuteResult{Value: backend.MIMEBundle{"text/plain": v}}
}

var recursed int

func recurse(n int) int { recursed++; return recurse(n+1) + 1 }

func (f *fakeInterp) Execute(ctx context.Context, req backend.ExecuteRequest, out backend.Output) backend.ExecuteResult {
	cmd, arg, _ := strings.Cut(req.Code, " ")
	switch cmd {
	case "echo":
		out.Stream("stdout", arg)
		return ok(arg)
	case "interleave": // stdout, stderr and displays in turn, as a cell mixing them
		n, _ := strconv.Atoi(arg)
		for i := range n {
			out.Stream("stdout", fmt.Sprintf("o%d\n", i))
			out.Stream("stderr", fmt.Sprintf("e%d\n", i))
			if i%10 == 9 {
				out.Display(backend.Display{Data: backend.MIMEBundle{"text/plain": fmt.Sprint(i)}})
			}
		}
		return ok("")
	case "alternate": // stdout and stderr in turn until interrupted; the value is the bytes written
		n := 0
		for ctx.Err() == nil {
			out.Stream("stdout", "o\n")
			out.Stream("stderr", "e\n")
			n += 4
		}
		return ok(fmt.Sprint(n))
	case "pid":
		return ok(fmt.Sprint(os.Getpid()))
	case "remember":
		f.logMu.Lock()
		f.log = []byte(arg)
		f.logMu.Unlock()
		return ok("")
	case "remembered":
		f.logMu.Lock()
		defer f.logMu.Unlock()
		return ok(string(f.log))
	case "big":
		out.Stream("stdout", strings.Repeat("é", 3<<20/2)) // 3 MiB
		return ok("")
	case "display":
		out.ClearOutput(true)
		out.Display(backend.Display{Data: backend.MIMEBundle{"text/html": "<b>" + arg + "</b>"}, DisplayID: "d"})
		return ok("")
	case "nan": // values JSON cannot carry
		out.Display(backend.Display{Data: backend.MIMEBundle{"application/json": math.NaN()}})
		return backend.ExecuteResult{Value: backend.MIMEBundle{"text/plain": math.Inf(1)}}
	case "stuck": // deaf to interrupts, as code deadlocked in compiled code
		select {}
	case "spin":
		<-ctx.Done()
		return backend.ExecuteResult{Err: &backend.Error{Name: "Interrupted", Value: "interrupted"}}
	case "input":
		line, err := out.Input(ctx, arg, false)
		if err != nil {
			return backend.ExecuteResult{Err: &backend.Error{Name: "InputError", Value: err.Error()}}
		}
		return ok(line)
	case "late": // output after the cell returned, once released
		go func() {
			<-f.release
			out.Stream("stdout", "late "+arg)
		}()
		return ok("")
	case "die-later": // a fatal error between cells, on Complete("die")
		go func() {
			<-f.die
			fmt.Fprintln(os.Stderr, "fatal error: from a goroutine")
			os.Exit(2)
		}()
		return ok("")
	case "release":
		f.once.Do(func() { close(f.release) })
		return ok("")
	case "mapwrites":
		m := map[int]int{}
		for range 2 {
			go func() {
				for i := 0; ; i++ {
					m[i%1000] = i
				}
			}()
		}
		select {}
	case "overflow":
		return ok(fmt.Sprint(recurse(0)))
	case "exit":
		os.Exit(3)
	case "kill":
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	case "garbage": // a frame claiming 4 GiB
		sessionConn.Write([]byte{0xff, 0xff, 0xff, 0xff, '{'})
		select {}
	case "badjson": // a whole frame that is not JSON
		sessionConn.Write([]byte{0, 0, 0, 3, 'n', 'o', '!'})
		select {}
	case "unknown": // a frame the kernel does not know
		sessionConn.Write([]byte("\x00\x00\x00\x0d{\"op\":\"boom\"}"))
		select {}
	case "panic":
		panic("the fake interpreter broke")
	}
	return backend.ExecuteResult{Err: &backend.Error{Name: "Unknown", Value: req.Code}}
}

func (f *fakeInterp) Complete(code string, cursor int) backend.Completion {
	if code == "panic" {
		panic("completion broke")
	}
	if code == "die" {
		f.dieOnce.Do(func() { close(f.die) })
		select {}
	}
	return backend.Completion{Matches: []string{code + "x"}, CursorStart: 0, CursorEnd: cursor}
}

func (f *fakeInterp) Inspect(code string, cursor int, detail int) backend.Inspection {
	return backend.Inspection{Found: true, Data: backend.MIMEBundle{"text/plain": fmt.Sprint(code, cursor, detail)}}
}

func (f *fakeInterp) IsComplete(code string) backend.Completeness {
	return backend.Completeness{Status: "incomplete", Indent: "  "}
}

func (f *fakeInterp) Close() error { return nil }

func (f *fakeInterp) ReplayLog() ([]byte, error) {
	f.logMu.Lock()
	defer f.logMu.Unlock()
	return f.log, nil
}

func (f *fakeInterp) Replay(log []byte) error {
	switch string(log) {
	case "bad":
		return errors.New("a bad log")
	case "deadly":
		os.Exit(4)
	}
	f.logMu.Lock()
	defer f.logMu.Unlock()
	f.log = log
	return nil
}

// recorder is a kernel-side Output that keeps what it got.
type recorder struct {
	mu      sync.Mutex
	streams []string
	shown   []backend.Display
	clears  int
	answer  string
	noStdin bool
	got     chan struct{} // signalled on each stream
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 100)} }

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	r.streams = append(r.streams, name+":"+text)
	r.mu.Unlock()
	r.got <- struct{}{}
}
func (r *recorder) Display(d backend.Display) {
	r.mu.Lock()
	r.shown = append(r.shown, d)
	r.mu.Unlock()
}
func (r *recorder) ClearOutput(bool) { r.mu.Lock(); r.clears++; r.mu.Unlock() }
func (r *recorder) Input(ctx context.Context, prompt string, password bool) (string, error) {
	if r.noStdin {
		return "", backend.ErrNoStdin
	}
	if r.answer == "" {
		<-ctx.Done()
		return "", ctx.Err()
	}
	return r.answer + " to " + prompt, nil
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.streams, "|")
}

func startFake(t *testing.T) *Client { return startFakeWith(t, nil) }

// startFakeWith starts a client of fake sessions, with set's changes to
// its options.
func startFakeWith(t *testing.T, set func(*Options)) *Client {
	t.Helper()
	opts := Options{
		Command: []string{os.Args[0], "-test.run=^$"},
		Env:     append(os.Environ(), sessionEnv+"=1"),
		Stderr:  &testLog{t: t},
	}
	if set != nil {
		set(&opts)
	}
	c, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s := current(c)
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if s != nil {
			if err := syscall.Kill(s.proc.Pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("session process %d still exists after Close (kill 0: %v)", s.proc.Pid, err)
			}
		}
	})
	return c
}

// testLog sends the session's stderr to the test's log.
type testLog struct {
	mu sync.Mutex
	t  *testing.T
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(p) > 200 {
		p = p[:200]
	}
	l.t.Logf("session: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func run(t *testing.T, c *Client, code string, out backend.Output) backend.ExecuteResult {
	t.Helper()
	return c.Execute(context.Background(), backend.ExecuteRequest{Code: code}, out)
}

func value(t *testing.T, res backend.ExecuteResult) string {
	t.Helper()
	if res.Err != nil {
		t.Fatalf("cell failed: %v %q", res.Err, res.Err.Traceback)
	}
	v, _ := res.Value["text/plain"].(string)
	return v
}

func TestRequestsCrossTheChannel(t *testing.T) {
	c := startFake(t)
	if info := c.Info(); info.Name != "fake" {
		t.Errorf("Info: %+v", info)
	}
	out := newRecorder()
	if v := value(t, run(t, c, "echo hola", out)); v != "hola" {
		t.Errorf("echo: value %q", v)
	}
	if got := out.text(); got != "stdout:hola" {
		t.Errorf("echo: streams %q", got)
	}
	value(t, run(t, c, "display x", out))
	if len(out.shown) != 1 || out.shown[0].Data["text/html"] != "<b>x</b>" || out.shown[0].DisplayID != "d" || out.clears != 1 {
		t.Errorf("display: %+v, %d clears", out.shown, out.clears)
	}
	if comp := c.Complete("fm", 2); len(comp.Matches) != 1 || comp.Matches[0] != "fmx" || comp.CursorEnd != 2 {
		t.Errorf("Complete: %+v", comp)
	}
	if in := c.Inspect("fmt", 1, 1); !in.Found || in.Data["text/plain"] != "fmt1 1" {
		t.Errorf("Inspect: %+v", in)
	}
	if ic := c.IsComplete("for {"); ic.Status != "incomplete" || ic.Indent != "  " {
		t.Errorf("IsComplete: %+v", ic)
	}
}

func TestStreamsAreCutIntoBoundedFrames(t *testing.T) {
	c := startFake(t)
	out := newRecorder()
	go func() { // the recorder's signal channel is small; drain it
		for range out.got {
		}
	}()
	value(t, run(t, c, "big", out))
	out.mu.Lock()
	defer out.mu.Unlock()
	var total int
	for _, s := range out.streams {
		text := strings.TrimPrefix(s, "stdout:")
		if len(text) > streamChunk || !strings.HasPrefix(text, "é") {
			t.Fatalf("a chunk of %d bytes, starting %q", len(text), text[:4])
		}
		total += len(text)
	}
	if total != 3<<20 || len(out.streams) < 3 {
		t.Errorf("%d bytes in %d chunks, want 3 MiB in at least 3", total, len(out.streams))
	}
}

func TestInterruptStopsTheCell(t *testing.T) {
	c := startFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan backend.ExecuteResult)
	go func() { done <- c.Execute(ctx, backend.ExecuteRequest{Code: "spin"}, newRecorder()) }()
	// While the cell runs, the editor's requests are answered.
	if comp := c.Complete("a", 1); len(comp.Matches) != 1 {
		t.Errorf("Complete during a cell: %+v", comp)
	}
	cancel()
	if res := <-done; res.Err == nil || res.Err.Name != "Interrupted" {
		t.Fatalf("interrupted cell: %+v", res)
	}
	value(t, run(t, c, "echo after", newRecorder()))
}

// A cell that does not stop on interrupt has its session stopped after
// the grace, and the next cell runs in a new one.
func TestStuckCellStopsItsSession(t *testing.T) {
	c := startFakeWith(t, func(o *Options) { o.InterruptGrace = 100 * time.Millisecond })
	before := value(t, run(t, c, "pid", newRecorder()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := c.Execute(ctx, backend.ExecuteRequest{Code: "stuck"}, newRecorder())
	if e := res.Err; e == nil || e.Name != "Interrupted" || !strings.Contains(e.Value, "did not stop within 100ms of the interrupt") ||
		!strings.Contains(strings.Join(e.Traceback, "\n"), lostState) {
		t.Fatalf("stuck cell: %+v", res.Err)
	}
	if after := value(t, run(t, c, "pid", newRecorder())); after == before {
		t.Errorf("the next cell ran in the stuck session %s", before)
	}
}

func TestInputAsksTheKernelsOutput(t *testing.T) {
	c := startFake(t)
	out := newRecorder()
	out.answer = "yes"
	if v := value(t, run(t, c, "input name?", out)); v != "yes to name?" {
		t.Errorf("input: %q", v)
	}
	out = newRecorder()
	out.noStdin = true
	res := run(t, c, "input name?", out)
	if res.Err == nil || res.Err.Value != backend.ErrNoStdin.Error() {
		t.Errorf("input without stdin: %+v", res)
	}
	// An interrupt while the frontend is asked cancels the question too.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan backend.ExecuteResult)
	go func() { done <- c.Execute(ctx, backend.ExecuteRequest{Code: "input wait"}, newRecorder()) }()
	cancel()
	if res := <-done; res.Err == nil || res.Err.Value != context.Canceled.Error() {
		t.Errorf("interrupted input: %+v", res)
	}
}

func TestOutputAfterTheCellIsTheCells(t *testing.T) {
	c := startFake(t)
	first := newRecorder()
	value(t, run(t, c, "late one", first))
	second := newRecorder()
	value(t, run(t, c, "release", second))
	<-first.got
	if got := first.text(); got != "stdout:late one" {
		t.Errorf("late output of the first cell: %q", got)
	}
	if got := second.text(); got != "" {
		t.Errorf("the releasing cell got %q", got)
	}
}

// Each way a session can die fails the running cell with what happened,
// and the next cell runs in a new session.
func TestSessionDeathFailsTheCell(t *testing.T) {
	cases := []struct {
		code, name, value, traceback string
	}{
		{"mapwrites", "fatal error", "concurrent map writes", "fatal error: concurrent map writes"},
		{"overflow", "fatal error", "stack overflow", "goroutine stack exceeds"},
		{"exit", "SessionDied", "the Go session process exited with status 3", lostState},
		{"kill", "killed by signal 9", "the Go session process was killed by signal 9 (killed)", lostState},
		{"garbage", "SessionDied", "the session's channel failed: a frame of 4294967295 bytes", "the kernel stopped the session"},
		{"badjson", "SessionDied", "the session's channel failed: a malformed frame", "the kernel stopped the session"},
		{"unknown", "SessionDied", `the session sent an unknown frame "boom"`, "the kernel stopped the session"},
	}
	c := startFake(t)
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			before := value(t, run(t, c, "pid", newRecorder()))
			res := run(t, c, tc.code, newRecorder())
			e := res.Err
			if e == nil {
				t.Fatalf("%s: no error: %+v", tc.code, res)
			}
			tb := strings.Join(e.Traceback, "\n")
			if e.Name != tc.name || !strings.HasPrefix(e.Value, tc.value) || !strings.Contains(tb, tc.traceback) || !strings.Contains(tb, lostState) {
				t.Errorf("%s: got %q: %q\n%s", tc.code, e.Name, e.Value, tb)
			}
			after := value(t, run(t, c, "pid", newRecorder()))
			if after == before {
				t.Errorf("%s: the next cell ran in the same session %s", tc.code, before)
			}
		})
	}
}

func TestAfterExitNamesTheDeadSession(t *testing.T) {
	exits := make(chan int, 2)
	c := startFakeWith(t, func(o *Options) { o.AfterExit = func(pid int) { exits <- pid } })
	pid := current(c).proc.Pid
	run(t, c, "exit", newRecorder())
	if got := <-exits; got != pid {
		t.Errorf("AfterExit(%d), want the dead session's %d", got, pid)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("session %d not reaped when AfterExit ran: %v", pid, err)
	}
}

// What cannot become a frame (NaN, a panicking completion) is reported as
// such, and the session goes on.
func TestUnsendableValues(t *testing.T) {
	c := startFake(t)
	before := value(t, run(t, c, "pid", newRecorder()))
	out := newRecorder()
	res := run(t, c, "nan", out)
	if res.Err == nil || res.Err.Name != "OutputError" || !strings.Contains(res.Err.Value, "the cell's result cannot be sent") {
		t.Errorf("a result with +Inf: %+v", res)
	}
	if got := out.text(); !strings.HasPrefix(got, "stderr:a display cannot be sent to the kernel") {
		t.Errorf("a display with NaN: %q", got)
	}
	if comp := c.Complete("panic", 2); len(comp.Matches) != 0 || comp.CursorStart != 2 {
		t.Errorf("a panicking completion: %+v", comp)
	}
	if after := value(t, run(t, c, "pid", newRecorder())); after != before {
		t.Errorf("the session was replaced")
	}
}

func TestPanicInTheInterpreterIsACellError(t *testing.T) {
	c := startFake(t)
	before := value(t, run(t, c, "pid", newRecorder()))
	res := run(t, c, "panic", newRecorder())
	if res.Err == nil || res.Err.Name != "KernelError" || !strings.Contains(res.Err.Value, "the fake interpreter broke") {
		t.Errorf("panic: %+v", res.Err)
	}
	if after := value(t, run(t, c, "pid", newRecorder())); after != before {
		t.Errorf("a recovered panic replaced the session")
	}
}

func TestDeathBetweenCellsIsTheNextCellsError(t *testing.T) {
	c := startFake(t)
	value(t, run(t, c, "die-later", newRecorder()))
	s := current(c)
	if comp := c.Complete("die", 3); len(comp.Matches) != 0 {
		t.Errorf("a completion from a dying session: %+v", comp)
	}
	<-s.dead
	res := run(t, c, "echo not run", newRecorder())
	if res.Err == nil || res.Err.Name != "fatal error" || res.Err.Value != "from a goroutine" || res.Err.Traceback[0] != notRun {
		t.Fatalf("the cell after the death: %+v", res)
	}
	value(t, run(t, c, "echo runs", newRecorder()))
}

func TestSessionThatCannotStart(t *testing.T) {
	c, err := Start(Options{Command: []string{"/bin/false"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if info := c.Info(); info.Name != "go" {
		t.Errorf("Info without a session: %+v", info)
	}
	res := run(t, c, "echo x", newRecorder())
	if res.Err == nil || !strings.HasPrefix(res.Err.Value, "the Go session did not start: ") {
		t.Errorf("a cell without a session: %+v", res.Err)
	}
}

func TestSessionIsInItsOwnProcessGroup(t *testing.T) {
	c := startFake(t)
	pid := current(c).proc.Pid
	pgid, err := syscall.Getpgid(pid)
	if err != nil {
		t.Fatal(err)
	}
	if pgid != pid || pgid == syscall.Getpgrp() {
		t.Errorf("session %d is in group %d (ours %d)", pid, pgid, syscall.Getpgrp())
	}
}

func TestCloseEndsTheSession(t *testing.T) {
	c := startFake(t)
	s := current(c)
	value(t, run(t, c, "echo x", newRecorder()))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	if !s.state.Success() {
		t.Errorf("the session exited with %v", s.state)
	}
	if res := run(t, c, "echo x", newRecorder()); res.Err == nil {
		t.Errorf("a cell ran after Close")
	}
}

func TestDeathErrorFromStderr(t *testing.T) {
	w := &stderrWatch{done: make(chan struct{})}
	for _, l := range []string{
		"[gomp] a log line\n",
		"runtime: program exceeds 10000-thread limit\n",
		"fatal error: thread exhaustion\n",
		"\n",
		"runtime stack:\n",
		"runtime: unexpected return pc\n", // in the dump: not the message
		"goroutine 1 [running]:\n",
	} {
		w.see(l)
	}
	e := deathError(nil, w.message(), "", "", false)
	if e.Name != "fatal error" || e.Value != "thread exhaustion" {
		t.Errorf("got %q: %q", e.Name, e.Value)
	}
	want := []string{"runtime: program exceeds 10000-thread limit", "fatal error: thread exhaustion", "", lostState}
	if strings.Join(e.Traceback[:4], "\n") != strings.Join(want, "\n") {
		t.Errorf("traceback %q", e.Traceback)
	}
	e = deathError(nil, []string{"fatal error: runtime: out of memory"}, "", "", true)
	if e.Name != "out of memory" || e.Value != "runtime: out of memory" {
		t.Errorf("out of memory: %q: %q", e.Name, e.Value)
	}
}

// FuzzReadFrame: no byte stream from a session crashes the kernel's reader
// or makes it hold more than the stream; a frame read has an op, and a
// reply's value is checked before use.
func FuzzReadFrame(f *testing.F) {
	var stream []byte
	for _, fr := range []*frame{
		{Op: opHello, Info: &backend.LanguageInfo{Name: "go"}},
		{Op: opResult, ID: 1, Result: &backend.ExecuteResult{Value: backend.MIMEBundle{"text/plain": "2"}}},
		{Op: opStream, Cell: 1, Name: "stdout", Text: "hola"},
		{Op: opDisplay, Cell: 1, Display: &backend.Display{Data: backend.MIMEBundle{"image/png": "AAA"}}},
		{Op: opInput, ID: 2, Cell: 1, Prompt: "?"},
		{Op: opReplay, Replay: []byte(`{"decls":[]}`)},
		{Op: opReplay, Error: "too large"},
		{Op: opStart, Replay: []byte{0, 1, 2}},
	} {
		b, err := encode(fr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		stream = append(stream, b...)
	}
	f.Add(stream)
	f.Add([]byte("\x00\x00\x00\x16{\"op\":\"result\",\"id\":1}"))
	f.Add([]byte("\x00\x00\x00\x06{\"op\":"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, '{'})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for {
			fr, err := readFrame(r)
			if err != nil {
				return
			}
			if fr.Op == "" {
				t.Fatalf("read a frame without an op")
			}
			checkReply(fr)
		}
	})
}

// current is the client's session now.
func current(c *Client) *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}
