package remote

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"
)

// How the session gathers stream text into frames. A frame costs the
// session an encoding and a write, and the kernel a read, a decoding and
// its throttle's bookkeeping: some tens of microseconds, which a cell
// printing short lines in a loop would pay for every line (2,000,000
// prints took 75 s, almost all of it frames the kernel then dropped).
// Text is held until flushBytes are waiting, until flushDelay after the
// first of them was written, or until any other frame leaves, whichever
// comes first; 2 ms is far below what a person notices in a notebook.
const (
	flushBytes = 64 << 10
	flushDelay = 2 * time.Millisecond
)

// outbox is the session's only way out to the kernel: every frame the
// session sends goes through it, so the text it holds always leaves before
// a frame sent after it (a display, a result, an input request), and the
// kernel sees every output of a cell in the order the cell produced it.
// Text written in a row to one stream of a cell is one run, and a run is
// one frame; a write to the cell's other stream starts a new run, so
// nothing is reordered between stdout and stderr. Runs of different cells
// are kept apart and only their order among themselves may change (each
// cell's output goes under its own cell, where no other cell's is): a
// goroutine of an earlier cell printing in step with the running cell
// makes two frames per flush instead of two per line, which the kernel's
// message rate (100 a second) would otherwise pace down to some fifty lines
// a second.
//
// Its one goroutine (run) flushes held text after flushDelay; it ends with
// stop.
type outbox struct {
	conn  *conn
	delay time.Duration // flushDelay; tests make it longer

	mu    sync.Mutex // held across writes: the frames leave in order
	runs  []streamRun
	held  int  // bytes of text in runs
	armed bool // run has been told to flush; only run clears it
	buf   []byte

	wake    chan struct{} // cap 1: held text is waiting for its flush
	quit    chan struct{}
	stopped sync.WaitGroup
}

// streamRun is text written in a row to one stream of one cell.
type streamRun struct {
	cell uint64
	name string
	text []byte
}

func newOutbox(c *conn, delay time.Duration) *outbox {
	o := &outbox{conn: c, delay: delay, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	o.stopped.Add(1)
	go o.run()
	return o
}

// stop ends run. Text still held is dropped: stop is for a session whose
// kernel is gone or has said goodbye (after which nothing is sent).
func (o *outbox) stop() {
	close(o.quit)
	o.stopped.Wait()
}

func (o *outbox) run() {
	defer o.stopped.Done()
	t := time.NewTimer(o.delay)
	t.Stop()
	for {
		select {
		case <-o.wake:
		case <-o.quit:
			return
		}
		t.Reset(o.delay)
		select {
		case <-t.C:
		case <-o.quit:
			t.Stop()
			return
		}
		o.mu.Lock()
		o.armed = false
		// A failed write means the kernel is gone; the next send from a
		// cell gets the same error, and the process ends with the kernel.
		o.flushLocked()
		o.mu.Unlock()
	}
}

// send sends f after the text held before it.
func (o *outbox) send(f *frame) error {
	body, encErr := encode(f)
	o.mu.Lock()
	defer o.mu.Unlock()
	if encErr != nil {
		// The text before it still leaves: the caller sends something
		// in f's place.
		if err := o.flushLocked(); err != nil {
			return err
		}
		return encErr
	}
	if len(o.runs) == 0 {
		return o.conn.write(body)
	}
	if err := o.encodeRunsLocked(); err != nil {
		return err
	}
	o.buf = append(o.buf, body...)
	return o.writeLocked()
}

// stream adds text to cell's stream name. Text of flushBytes or more is
// written at once, after what is held, in frames of at most streamChunk.
func (o *outbox) stream(cell uint64, name, text string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(text) >= flushBytes {
		if err := o.flushLocked(); err != nil {
			return err
		}
		for text != "" {
			n := chunkLen(text)
			if err := o.appendStream(cell, name, text[:n]); err != nil {
				return err
			}
			if err := o.writeLocked(); err != nil {
				return err
			}
			text = text[n:]
		}
		return nil
	}
	n := len(o.runs)
	last := -1 // the cell's latest run
	for i := n - 1; i >= 0; i-- {
		if o.runs[i].cell == cell {
			last = i
			break
		}
	}
	switch {
	case last >= 0 && o.runs[last].name == name:
		o.runs[last].text = append(o.runs[last].text, text...)
	case n < cap(o.runs):
		// Reuse the run's buffer from an earlier flush.
		o.runs = o.runs[:n+1]
		r := &o.runs[n]
		r.cell, r.name, r.text = cell, name, append(r.text[:0], text...)
	default:
		o.runs = append(o.runs, streamRun{cell: cell, name: name, text: []byte(text)})
	}
	o.held += len(text)
	if o.held >= flushBytes {
		return o.flushLocked()
	}
	if !o.armed {
		o.armed = true
		o.wake <- struct{}{} // never blocks: armed is set only here, and cleared after the token was taken
	}
	return nil
}

// flushLocked writes the held text.
func (o *outbox) flushLocked() error {
	if len(o.runs) == 0 {
		return nil
	}
	if err := o.encodeRunsLocked(); err != nil {
		return err
	}
	return o.writeLocked()
}

// encodeRunsLocked moves the held text into buf as stream frames, runs
// longer than streamChunk cut on rune boundaries.
func (o *outbox) encodeRunsLocked() error {
	runs := o.runs
	o.runs = o.runs[:0]
	o.held = 0
	if cap(runs) > maxKeptRuns {
		o.runs = nil // a burst of runs (stdout and stderr in turn) is not kept
	}
	for _, r := range runs {
		text := string(r.text)
		for text != "" {
			n := chunkLen(text)
			if err := o.appendStream(r.cell, r.name, text[:n]); err != nil {
				return err
			}
			text = text[n:]
		}
	}
	return nil
}

// maxKeptRuns is how many runs' buffers a flush keeps for reuse.
const maxKeptRuns = 64

// appendStream appends one stream frame to buf.
func (o *outbox) appendStream(cell uint64, name, text string) error {
	body, err := json.Marshal(&frame{Op: opStream, Cell: cell, Name: name, Text: text})
	if err != nil { // not for a string; kept so that nothing is sent half-made
		return fmt.Errorf("encoding a stream frame: %w", err)
	}
	o.buf = binary.BigEndian.AppendUint32(o.buf, uint32(len(body)))
	o.buf = append(o.buf, body...)
	return nil
}

// writeLocked writes buf, which holds whole frames, in one write.
func (o *outbox) writeLocked() error {
	err := o.conn.write(o.buf)
	if cap(o.buf) > 4*streamChunk {
		o.buf = nil // a burst's buffer is not kept for the session's life
	} else {
		o.buf = o.buf[:0]
	}
	return err
}

// chunkLen is how much of text one stream frame takes: at most
// streamChunk bytes, cut on a rune boundary.
func chunkLen(text string) int {
	n := len(text)
	if n <= streamChunk {
		return n
	}
	n = streamChunk
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	if n == 0 {
		n = streamChunk
	}
	return n
}
