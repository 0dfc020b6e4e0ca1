package display

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"gomp/backend"
)

// sink holds the Output of the cell that runs now. An atomic pointer keeps
// every display call lock-free on this path; a box is needed because
// atomic.Pointer cannot hold an interface directly.
var sink atomic.Pointer[outputBox]

type outputBox struct{ out backend.Output }

// SetOutput makes out the destination of everything displayed from now on,
// from any goroutine. The evaluator calls it at the start of each cell.
// SetOutput(nil) returns to the fallback: text/plain to os.Stdout.
func SetOutput(out backend.Output) {
	if out == nil {
		sink.Store(nil)
		return
	}
	sink.Store(&outputBox{out: out})
}

// output returns the current destination.
func output() backend.Output {
	if b := sink.Load(); b != nil {
		return b.out
	}
	return stdoutFallback
}

// stdoutFallback is where displays go when no cell output is set: a child
// process, or Go code that uses the package outside a kernel.
var stdoutFallback = &textOutput{
	stdout: func() io.Writer { return os.Stdout },
	stderr: func() io.Writer { return os.Stderr },
}

// textOutput is a backend.Output for a terminal: it prints the text/plain
// alternative of each display on its own line. The writers are looked up at
// each write because a child process may replace os.Stdout after start.
type textOutput struct {
	mu     sync.Mutex // keeps lines of concurrent displays whole
	stdout func() io.Writer
	stderr func() io.Writer
}

func (t *textOutput) Stream(name, text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.stdout()
	if name == "stderr" {
		w = t.stderr()
	}
	io.WriteString(w, text)
}

func (t *textOutput) Display(d backend.Display) {
	text, _ := d.Data["text/plain"].(string)
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintln(t.stdout(), text)
}

// ClearOutput does nothing: a terminal's lines cannot be taken back.
func (t *textOutput) ClearOutput(wait bool) {}

func (t *textOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return "", backend.ErrNoStdin
}
