package mp

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"
	"time"

	"gomp/backend"
)

// childProc is this process's handle on one child process, from spawn to
// reap. A child is spawned idle (waiting for a session and a start order on
// its bootstrap channel); begin hands it a Process to run.
type childProc struct {
	proc           *os.Process
	pid            int
	boot           *bootSender
	stdout, stderr *os.File // read ends of its output pipes; nil when it writes to ours
	tasks          *os.File // the pool channel (poolchannel.go); the Pool closes it, else reap does

	mu       sync.Mutex
	begun    bool         // handed a start order; its output is forwarded
	pooled   bool         // a Pool's worker: the Pool owns tasks
	ended    bool         // exitCode is set
	exitCode ExitCode     // valid once exited is closed
	endedAt  time.Time    // when exitCode was set: the end of its Timeline bar
	output   []*forwarder // one per output pipe, from begin on

	name string         // the Process's name, from begin
	out  backend.Output // where its output goes (nil: this process's stdout and stderr)
	sent uint64         // bit n: this process sent it signal n
	slot bool           // it counts in the process budget until it ends
	note string         // said on the cell's stderr once its output is forwarded (killreport.go)

	exited chan struct{} // closed once the process has ended (reported its exit code, or was reaped)
	done   chan struct{} // closed once it has ended and its output was forwarded
	reaped chan struct{} // closed once the process has been waited for
}

func newChildProc(boot *bootSender) *childProc {
	return &childProc{
		boot:     boot,
		exitCode: Running,
		exited:   make(chan struct{}),
		done:     make(chan struct{}),
		reaped:   make(chan struct{}),
	}
}

// errChildGone is begin's error for a child that ended while idle.
var errChildGone = errors.New("the child process ended before it was started")

// begin makes an idle child run a Process: its output goes to out from now
// on (nil: this process's stdout and stderr), then it gets the session and
// the start order.
func (c *childProc) begin(ctx context.Context, out backend.Output, src *sessionSource, digest [32]byte, order *startOrder) error {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return errChildGone
	}
	c.begun = true
	childBegun()
	c.pooled = order.Pool != nil
	c.name, c.out = order.Name, out
	if c.stdout != nil {
		// Forward before sending the order: a quick child may write and
		// exit at once, and its output must find a reader.
		c.output = []*forwarder{
			startForwarder(c.stdout, "stdout", out),
			startForwarder(c.stderr, "stderr", out),
		}
	}
	c.mu.Unlock()
	if err := c.boot.sendSession(ctx, src, digest); err != nil {
		return err
	}
	return c.boot.sendStart(ctx, order)
}

// reap follows a child to its end: it takes the exit code the child
// reports as it exits (or, if it dies without one, its wait status), waits
// for its output to be forwarded, and reaps it. It is the goroutine every
// child has from spawn to end.
func (c *childProc) reap() {
	code, reported := c.boot.receiveExitReport()
	if reported {
		c.end(code)
	}
	state, err := c.proc.Wait()
	if !reported {
		code := exitCodeOf(state, err)
		c.mu.Lock()
		c.note = c.foreignSignalNoteLocked(code)
		c.mu.Unlock()
		c.end(code)
	}
	c.boot.close()
	c.closeTasksUnlessPooled()
	c.mu.Lock()
	begun := c.begun
	c.mu.Unlock()
	if begun {
		childEnded()
	}
	close(c.reaped)
}

// holdSlot makes the child's place in the process budget its own, given
// back when it ends (at once if it already has): before Join returns, so
// that a Start after a Join finds the place free.
func (c *childProc) holdSlot() {
	c.mu.Lock()
	ended := c.ended
	c.slot = !ended
	c.mu.Unlock()
	if ended {
		budget.release()
	}
}

// end records the exit code, then waits for the output to be forwarded
// (in its own goroutine, so that reap goes on to reap the process).
func (c *childProc) end(code ExitCode) {
	c.mu.Lock()
	c.exitCode = code
	c.ended = true
	c.endedAt = time.Now()
	begun, output, slot := c.begun, c.output, c.slot
	c.slot = false
	c.mu.Unlock()
	if slot {
		budget.release()
	}
	close(c.exited)
	if !begun {
		if c.stdout != nil {
			c.stdout.Close()
			c.stderr.Close()
		}
		close(c.done)
		return
	}
	go func() {
		for _, f := range output {
			f.awaitDrained()
		}
		c.mu.Lock()
		note := c.note
		c.mu.Unlock()
		if note != "" {
			c.writeNote(note)
		}
		close(c.done)
	}()
}

// exitCodeOf is Python's exitcode for a reaped process: its exit status,
// or minus the signal that ended it.
func exitCodeOf(state *os.ProcessState, err error) ExitCode {
	if err != nil || state == nil {
		return 255
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ExitCode(-int(ws.Signal()))
	}
	return ExitCode(state.ExitCode())
}

// signal sends sig unless the process has ended (then it is a no-op, as
// Python's terminate of an ended process is).
func (c *childProc) signal(sig syscall.Signal) {
	c.mu.Lock()
	c.sent |= 1 << uint(sig)
	c.mu.Unlock()
	// The only errors are "already done" and a process that is going
	// anyway; either way reap reports how it ended.
	_ = c.proc.Signal(sig)
}

// alive reports whether the process has not been reaped yet.
func (c *childProc) alive() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

func (c *childProc) code() ExitCode {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exitCode
}

// discard ends an idle child and waits until it is reaped.
func (c *childProc) discard() {
	c.signal(syscall.SIGKILL)
	<-c.reaped
	<-c.done
}

// stop ends a child: SIGTERM, then SIGKILL after grace; it returns once
// the child is reaped and its output forwarded.
func (c *childProc) stop(grace time.Duration) {
	c.signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.reaped:
	case <-t.C:
		c.signal(syscall.SIGKILL)
	}
	<-c.reaped
	<-c.done
}

// closeFiles closes this side of an unstarted child's channels.
func (c *childProc) closeFiles() {
	c.boot.close()
	c.tasks.Close()
	if c.stdout != nil {
		c.stdout.Close()
		c.stderr.Close()
	}
}

// watchInterrupt terminates the child when the cell that started it is
// interrupted; it ends when either happens.
func (c *childProc) watchInterrupt(interrupted <-chan struct{}) {
	select {
	case <-interrupted:
		c.signal(syscall.SIGTERM)
	case <-c.exited:
	}
}
