package eval

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"sync"
	"unicode/utf8"

	"gomp/backend"
)

// cellStream is what cells see as os.Stdout and os.Stderr (and what fmt.Print
// and println write to): every write goes to the current cell's output as a
// stream, synchronously, so a cell's prints are all published before the
// kernel reports it idle and nothing is reordered between fmt.Println and
// fmt.Fprintln(os.Stdout). Gathering writes into fewer messages is the
// Output's business (the session's outbox, backend/remote), which keeps
// their order with the cell's displays and result.
type cellStream struct {
	s    *Session
	name string // "stdout" or "stderr"

	mu      sync.Mutex
	partial []byte // an incomplete UTF-8 sequence held for the next write
}

// yaegiTrace matches the lines yaegi writes to the interpreter's stderr as a
// panic unwinds interpreted frames ("gomp12.go:3:2: panic: main.f(...)").
// They are the traceback of the error being reported, not the cell's output.
var yaegiTrace = regexp.MustCompile(`^` + unitFilePattern + `:(\d+)(?::(\d+))?: panic: (.*)\(\.\.\.\)\n$`)

func (w *cellStream) Write(p []byte) (int, error) {
	if w.name == "stderr" && yaegiTrace.Match(p) {
		w.s.traces.add(string(p))
		return len(p), nil
	}
	w.mu.Lock()
	data := append(w.partial, p...)
	cut := completeUTF8(data)
	w.partial = append([]byte(nil), data[cut:]...)
	w.mu.Unlock()
	if cut > 0 {
		out := w.s.output()
		if c := w.s.cells.of(); c != nil && c.out != nil {
			out = c.out // a goroutine's output goes under the cell that started it
		}
		out.Stream(w.name, string(data[:cut]))
	}
	return len(p), nil
}

// WriteString lets cells call os.Stdout.WriteString as on an *os.File.
func (w *cellStream) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// Sync, Close, Name and Fd keep the most used *os.File methods available on
// the cell's os.Stdout and os.Stderr.
func (w *cellStream) Sync() error  { return nil }
func (w *cellStream) Close() error { return nil }
func (w *cellStream) Name() string { return "/dev/" + w.name }
func (w *cellStream) Fd() uintptr {
	if w.name == "stdout" {
		return 1
	}
	return 2
}

// completeUTF8 returns how many leading bytes of b end on a rune boundary, so
// a multi-byte character split across two writes is not published as two
// invalid halves. Invalid bytes that can never complete are passed through.
func completeUTF8(b []byte) int {
	for back := 1; back <= utf8.UTFMax && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < utf8.RuneSelf {
			return len(b) // ASCII: everything before is whole
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-back:]) {
				return len(b)
			}
			return len(b) - back
		}
	}
	return len(b)
}

// traceLog collects yaegi's interpreted-frame trace lines for the panic being
// reported.
type traceLog struct {
	mu    sync.Mutex
	lines []string
	skip  int // lines not to keep: see nativeTier.fallback
}

func (t *traceLog) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.skip > 0 {
		t.skip--
		return
	}
	if len(t.lines) < 200 { // a runaway recursion is summarised, not hoarded
		t.lines = append(t.lines, line)
	}
}

func (t *traceLog) take() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.lines
	t.lines, t.skip = nil, 0
	return l
}

// cellStdin is what cells see as os.Stdin (and what fmt.Scan reads): a read
// with nothing buffered asks the frontend for a line through input_request.
type cellStdin struct {
	s   *Session
	mu  sync.Mutex
	buf bytes.Buffer
}

// errStdinNotAllowed is the error of a read when the frontend takes no
// input (nbconvert, a grader): a Go program sees an unusable stdin as a read
// error, so a cell can fall back (fmt.Scanln returns it); a cell that panics
// with it is reported like Python's StdinNotImplementedError.
type errStdinNotAllowed struct{}

func (errStdinNotAllowed) Error() string {
	return "reading os.Stdin needs a frontend that accepts input; this one does not (allow_stdin is false, as under nbconvert)"
}

func (r *cellStdin) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.buf.Len() == 0 {
		ctx := r.s.cellContext()
		// No prompt: cells print theirs with fmt.Print before reading, and
		// it is already in the output.
		line, err := r.s.output().Input(ctx, "", false)
		switch {
		case errors.Is(err, backend.ErrNoStdin):
			return 0, errStdinNotAllowed{}
		case ctx.Err() != nil:
			s := r.s
			s.mu.Lock()
			stopped := s.stopped
			s.mu.Unlock()
			s.noteStop()
			s.awaitStop(stopped)
			return 0, io.EOF
		case err != nil:
			return 0, err
		}
		r.buf.WriteString(line)
		r.buf.WriteByte('\n')
	}
	return r.buf.Read(p)
}

// cellContext returns the running cell's context, or a cancelled one when no
// cell runs (a goroutine of an ended cell reading stdin gets no prompt).
func (s *Session) cellContext() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runCtx != nil {
		return s.runCtx
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
