package remote

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	"gomp/backend"
)

// A session's stderr is the kernel's log, forwarded line by line. The Go
// runtime writes its last words there when it dies of a fatal error
// ("fatal error: concurrent map writes", "runtime: goroutine stack exceeds
// 1000000000-byte limit" then "fatal error: stack overflow"), followed by a
// goroutine dump that can run to megabytes. stderrWatch keeps the message
// block (the lines up to the first blank one), which is what the failed
// cell shows; the dump stays in the log.

// fatalMarkers start the runtime's message block.
var fatalMarkers = []string{"fatal error: ", "runtime: ", "panic: ", "SIGSEGV: ", "SIGBUS: ", "SIGFPE: ", "unexpected fault address"}

const (
	maxBlockLines = 12      // of the message block
	maxLineKept   = 1 << 10 // bytes of one kept line
	maxLineRead   = 64 << 10
)

// stderrWatch forwards a session's stderr and remembers its fatal message.
type stderrWatch struct {
	done chan struct{} // closed at EOF on the pipe

	mu     sync.Mutex
	block  []string
	open   bool // block is still collecting lines
	locked bool // block holds a fatal error or panic line: it is the one
}

// watchStderr copies r to log until EOF, in a goroutine that ends then.
func watchStderr(r io.ReadCloser, log io.Writer) *stderrWatch {
	w := &stderrWatch{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer r.Close()
		br := bufio.NewReaderSize(r, maxLineRead)
		for {
			line, err := br.ReadSlice('\n')
			if len(line) > 0 {
				log.Write(line)
				w.see(string(line))
			}
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return
			}
		}
	}()
	return w
}

// see takes one line (or the first maxLineRead bytes of a longer one).
func (w *stderrWatch) see(line string) {
	line = strings.TrimRight(line, "\r\n")
	if len(line) > maxLineKept {
		line = line[:maxLineKept] + "…"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.open && (line == "" || len(w.block) >= maxBlockLines):
		w.open = false
		w.locked = w.locked || w.hasFatalLine()
	case w.open:
		w.block = append(w.block, line)
	case !w.locked && isFatalStart(line):
		w.block, w.open = []string{line}, true
	}
}

func (w *stderrWatch) hasFatalLine() bool {
	for _, l := range w.block {
		if strings.HasPrefix(l, "fatal error: ") || strings.HasPrefix(l, "panic: ") {
			return true
		}
	}
	return false
}

func isFatalStart(line string) bool {
	for _, m := range fatalMarkers {
		if strings.HasPrefix(line, m) {
			return true
		}
	}
	return false
}

// message returns the fatal message block seen so far.
func (w *stderrWatch) message() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.block...)
}

// lostState ends the error of a death with nothing to replay (no cell had
// finished in the session); replayedState that of the others, whose next
// session starts from the notebook's declarations.
const (
	lostState     = "The Go session running this notebook died, and its state (variables, declarations, imports) was lost. A new session has started: run again the cells the next ones need."
	replayedState = "The Go session running this notebook died. A new session has started with the notebook's imports, types, constants, functions and methods, but its variables were reset to their zero values: run again the cells that set the variables the next ones need."
)

// notRun opens the error of a cell that found its session dead.
const notRun = "The session died after the previous cell ended (a goroutine or process it left running?); this cell was not run."

// deathError describes how a session ended: from the runtime's message when
// there is one, else from the exit status; reason, when set, is why the
// kernel stopped it, and reasonAs the ename that says so. replayed tells
// that the next session gets the notebook's declarations.
func deathError(state *os.ProcessState, message []string, reasonAs, reason string, replayed bool) *backend.Error {
	name, value := "SessionDied", "the Go session process ended"
	var fatal, panicked string
	for _, l := range message {
		if v, ok := strings.CutPrefix(l, "fatal error: "); ok && fatal == "" {
			fatal = v
		}
		if v, ok := strings.CutPrefix(l, "panic: "); ok && panicked == "" {
			panicked = v
		}
	}
	switch {
	case reason != "":
		name, value = reasonAs, reason
	case fatal != "":
		name, value = "fatal error", fatal
		if strings.Contains(fatal, "out of memory") {
			name = "out of memory"
		}
	case panicked != "":
		name, value = "panic", panicked
	case len(message) > 0:
		name, value = "fatal error", message[0]
	case state != nil:
		if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			sig := ws.Signal()
			name = fmt.Sprintf("killed by signal %d", int(sig))
			value = fmt.Sprintf("the Go session process was killed by signal %d (%v)", int(sig), sig)
			if sig == syscall.SIGKILL {
				value += "; the system kills the largest process when memory runs out"
			}
		} else {
			value = fmt.Sprintf("the Go session process exited with status %d", state.ExitCode())
		}
	}
	tb := append([]string(nil), message...)
	if len(tb) > 0 {
		tb = append(tb, "")
	}
	after := lostState
	if replayed {
		after = replayedState
	}
	tb = append(tb, after, "\x1b[0;31m"+name+"\x1b[0m: "+value)
	return &backend.Error{Name: name, Value: value, Traceback: tb}
}

// afterCell is e as reported to a cell that was not run because the
// session had died between cells.
func afterCell(e *backend.Error) *backend.Error {
	return &backend.Error{Name: e.Name, Value: e.Value, Traceback: append([]string{notRun}, e.Traceback...)}
}
