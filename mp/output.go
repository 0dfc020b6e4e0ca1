package mp

import (
	"os"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"gomp/backend"
)

// drainGrace is how long a reaped child's output pipe may stay silent and
// open before Join stops waiting for its end. The pipe normally reaches EOF
// as the child exits; it stays open only while some other process holds
// it (a program the child ran with its stdout, say). Forwarding goes on
// after Join returns, until EOF.
const drainGrace = 200 * time.Millisecond

// forwarder copies one output pipe of a child to an Output (or, with a nil
// Output, to this process's stdout or stderr), as the bytes come: nothing
// is held back waiting for a newline. Only an incomplete UTF-8 sequence at
// the end of a read waits for the next read, so that a character is never
// published in two invalid halves.
type forwarder struct {
	done    chan struct{} // closed at EOF, after the last byte was forwarded
	reads   atomic.Int64  // completed reads, so a stalled pipe can be told from a slow Output
	waiting atomic.Bool   // blocked reading (not publishing)
}

func startForwarder(r *os.File, name string, out backend.Output) *forwarder {
	f := &forwarder{done: make(chan struct{})}
	go f.run(r, name, out)
	return f
}

func (f *forwarder) run(r *os.File, name string, out backend.Output) {
	defer close(f.done)
	defer r.Close()
	emit := func(b []byte) {
		if out != nil {
			out.Stream(name, string(b))
		} else if name == "stderr" {
			os.Stderr.Write(b)
		} else {
			os.Stdout.Write(b)
		}
	}
	buf := make([]byte, 32<<10)
	held := 0 // bytes of an incomplete character at the start of buf
	for {
		f.waiting.Store(true)
		n, err := r.Read(buf[held:])
		f.waiting.Store(false)
		f.reads.Add(1)
		n += held
		cut := completeUTF8(buf[:n])
		if cut > 0 {
			emit(buf[:cut])
		}
		held = copy(buf, buf[cut:n])
		if err != nil { // EOF, or the pipe was closed under us
			if held > 0 {
				emit(buf[:held])
			}
			return
		}
	}
}

// awaitDrained waits for EOF, unless the pipe stays open and silent for
// drainGrace (see drainGrace).
func (f *forwarder) awaitDrained() {
	t := time.NewTicker(drainGrace)
	defer t.Stop()
	last := f.reads.Load()
	for {
		select {
		case <-f.done:
			return
		case <-t.C:
			now := f.reads.Load()
			if now == last && f.waiting.Load() {
				return
			}
			last = now
		}
	}
}

// completeUTF8 returns how many leading bytes of b end on a character
// boundary; invalid bytes that can never complete a character count as
// complete.
func completeUTF8(b []byte) int {
	for back := 1; back <= utf8.UTFMax && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < utf8.RuneSelf {
			return len(b)
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
