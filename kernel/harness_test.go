package kernel

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gomp/backend"
)

// fakeInterp is a backend.Interpreter whose "language" is a few commands, one
// per cell, enough to drive every path of the kernel:
//
//	print TEXT      TEXT on stdout          stderr TEXT   TEXT on stderr
//	value V         result text/plain V     fail          a CompileError
//	block           wait for interrupt      input         ask for a name, greet
//	display         a display, then update  clear         clear_output(wait)
//	panic           panic                   many N        N writes of "x\n"
//	mixed           stdout a, stderr b, stdout c
//	nan             a result and user expression JSON cannot encode
//	background      print "late" after the cell ended, when released
//	flood N         N writes of "x\n", a display, then a CompileError
//	wait-queued     wait until 2 "value" cells are queued, then fail
type fakeInterp struct {
	mu       sync.Mutex
	executed []string
	closes   int

	// queued receives one value per "value" execute_request queued on the
	// shell (see the kernel's onShellQueued hook).
	queued chan struct{}
	// release lets the "background" goroutine print; lateDone is closed
	// when it has.
	release  chan struct{}
	lateDone chan struct{}
	// A completion of "slow" signals completing and waits for
	// completeRelease, as one waiting for a running cell's lock does.
	completing      chan struct{}
	completeRelease chan struct{}
}

func newFakeInterp() *fakeInterp {
	return &fakeInterp{
		queued:          make(chan struct{}, 100),
		release:         make(chan struct{}),
		lateDone:        make(chan struct{}),
		completing:      make(chan struct{}, 10),
		completeRelease: make(chan struct{}),
	}
}

func (f *fakeInterp) Info() backend.LanguageInfo {
	return backend.LanguageInfo{
		Name: "go", Version: "1.26", Mimetype: "text/x-go", FileExtension: ".go",
		PygmentsLexer: "go", CodemirrorMode: "go", ImplementationVer: "0.0.1-test",
		Banner:    "gomp test kernel",
		HelpLinks: []backend.HelpLink{{Text: "Go", URL: "https://go.dev/doc/"}},
	}
}

func (f *fakeInterp) Executed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.executed...)
}

func (f *fakeInterp) Closes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closes
}

func (f *fakeInterp) Execute(ctx context.Context, req backend.ExecuteRequest, out backend.Output) backend.ExecuteResult {
	f.mu.Lock()
	f.executed = append(f.executed, req.Code)
	f.mu.Unlock()

	cmd, arg, _ := strings.Cut(req.Code, " ")
	switch cmd {
	case "print":
		out.Stream("stdout", arg)
	case "stderr":
		out.Stream("stderr", arg)
	case "value":
		return backend.ExecuteResult{Value: backend.MIMEBundle{"text/plain": arg}}
	case "fail":
		return failed("CompileError", "boom")
	case "block":
		<-ctx.Done()
		return failed("Interrupted", ctx.Err().Error())
	case "input":
		name, err := out.Input(ctx, "name? ", false)
		if err != nil {
			return failed("StdinError", err.Error())
		}
		out.Stream("stdout", "hello "+name)
	case "display":
		out.Display(backend.Display{Data: backend.MIMEBundle{"text/html": "<b>1</b>"}, DisplayID: "d1"})
		out.Display(backend.Display{Data: backend.MIMEBundle{"text/html": "<b>2</b>"}, DisplayID: "d1", Update: true})
	case "clear":
		out.ClearOutput(true)
	case "mixed":
		out.Stream("stdout", "a")
		out.Stream("stderr", "b")
		out.Stream("stdout", "c")
	case "nan":
		return backend.ExecuteResult{
			Value:           backend.MIMEBundle{"application/json": math.NaN()},
			UserExpressions: map[string]any{"x": math.NaN()},
		}
	case "panic":
		panic("oops")
	case "many":
		n, _ := strconv.Atoi(arg)
		for range n {
			out.Stream("stdout", "x\n")
		}
	case "flood":
		n, _ := strconv.Atoi(arg)
		for range n {
			out.Stream("stdout", "x\n")
		}
		out.Display(backend.Display{Data: backend.MIMEBundle{"text/plain": "shown"}})
		return failed("CompileError", "after the flood")
	case "background":
		go func() {
			defer close(f.lateDone)
			<-f.release
			out.Stream("stdout", "late")
		}()
	case "wait-queued":
		for range 2 {
			select {
			case <-f.queued:
			case <-ctx.Done():
				return failed("Interrupted", "")
			}
		}
		return failed("CompileError", "boom")
	default:
		return failed("CompileError", fmt.Sprintf("unknown command %q", cmd))
	}
	return backend.ExecuteResult{}
}

func failed(name, value string) backend.ExecuteResult {
	return backend.ExecuteResult{Err: &backend.Error{Name: name, Value: value, Traceback: []string{name + ": " + value}}}
}

func (f *fakeInterp) Complete(code string, cursor int) backend.Completion {
	if code == "slow" {
		f.completing <- struct{}{}
		<-f.completeRelease
	}
	return backend.Completion{Matches: []string{"Println", "Printf"}, CursorStart: max(cursor-2, 0), CursorEnd: cursor}
}

func (f *fakeInterp) Inspect(code string, cursor int, detail int) backend.Inspection {
	if !strings.Contains(code, "fmt") {
		return backend.Inspection{}
	}
	return backend.Inspection{Found: true, Data: backend.MIMEBundle{"text/plain": "package fmt"}}
}

func (f *fakeInterp) IsComplete(code string) backend.Completeness {
	if strings.HasSuffix(code, "{") {
		return backend.Completeness{Status: "incomplete", Indent: "\t"}
	}
	return backend.Completeness{Status: "complete"}
}

func (f *fakeInterp) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closes++
	return nil
}

// harness runs a kernel with a fakeInterp in the test's process, over real
// sockets, with a connected client.
type harness struct {
	t      *testing.T
	log    *testLogger
	k      *Kernel
	interp *fakeInterp
	c      *testClient
	cancel context.CancelFunc
	served chan error
	result error
	ended  bool
}

type harnessOptions struct {
	transport    string // "tcp" (default) or "ipc"
	handleSIGINT bool
	// onSent is called before each message the kernel writes.
	onSent func(channel, msgType string)
	// output, if set, are the kernel's output limits (else the defaults).
	output *OutputLimits
}

func startKernel(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	conn := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "test-key", SignatureScheme: schemeHMACSHA256}
	if o.transport == "ipc" {
		conn = ConnectionInfo{Transport: "ipc", IP: filepath.Join(t.TempDir(), "k"), Key: "test-key",
			SignatureScheme: schemeHMACSHA256, ShellPort: 1, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5}
	}
	logw := &testLogger{t: t}
	k, err := Listen(conn, Options{Logger: log.New(logw, "", 0), HandleSIGINT: o.handleSIGINT, Output: o.output})
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	interp := newFakeInterp()
	k.pub.onSent = o.onSent
	k.onShellQueued = func(req *request) {
		if req.msg.Header.MsgType == "execute_request" && strings.Contains(string(req.msg.Content), `"value `) {
			interp.queued <- struct{}{}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, log: logw, k: k, interp: interp, cancel: cancel, served: make(chan error, 1)}
	go func() { h.served <- k.Serve(ctx, interp) }()
	h.c = dialClient(t, k.ConnectionInfo())
	t.Cleanup(func() {
		h.stop()
		h.c.close()
		logw.stop()
		checkNoKernelGoroutines(t)
	})
	h.c.waitReady()
	return h
}

// wait waits for Serve to return and returns its result.
func (h *harness) wait() error {
	h.t.Helper()
	if !h.ended {
		h.result = <-h.served
		h.ended = true
	}
	return h.result
}

// stop cancels Serve's context (if it still runs) and waits for it.
func (h *harness) stop() {
	h.cancel()
	err := h.wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		h.t.Errorf("Serve: %v", err)
	}
	if n := h.interp.Closes(); n != 1 {
		h.t.Errorf("interpreter closed %d times, want once", n)
	}
}
