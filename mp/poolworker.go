package mp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"
)

// poolWorker is the pool's side of one worker process. Two goroutines
// serve it, both counted in Pool.running: send writes it tasks from the
// pool's queue, receive reads its results and, when the process has
// ended, settles its unfinished tasks and starts its replacement.
type poolWorker struct {
	pool *Pool
	proc *Process // registered as a child of this process (ActiveChildren, Shutdown)
	c    *childProc
	rec  *procRecord // its row in Timelines

	// Under pool.mu:
	known       map[uint32]bool // functions it was sent
	outstanding []*chunk        // sent and not answered, in the order sent (and run)
	sent        int             // chunks sent, for MaxTasksPerChild
	avg         time.Duration   // moving average of its chunks' run time
	avgFn       uint32          // the function avg is of
	dead        bool
	stopReason  string // why the pool stopped it, if it did

	senderDone chan struct{}
}

// startWorker starts a worker and its goroutines. Replacements start
// from the goroutine of the worker they replace.
func (p *Pool) startWorker(ctx context.Context) error {
	p.running.Add(1)
	defer p.running.Done()
	ident := nextIdentity()
	name := "SpawnPoolWorker-" + strings.TrimPrefix(defaultName(ident), "Process-")
	order := *p.tmpl
	order.Name, order.Identity = name, ident
	called := time.Now()
	c, err := launch(ctx, p.out, p.src, &order)
	if err != nil {
		return fmt.Errorf("starting worker %s: %w", name, err)
	}
	w := &poolWorker{
		pool:       p,
		proc:       &Process{Name: name, Daemon: true, ident: ident, child: c, daemon: true},
		c:          c,
		rec:        noteWorker(name, c, called),
		known:      map[uint32]bool{},
		senderDone: make(chan struct{}),
	}
	if !register(w.proc, p.gen) {
		c.stop(0)
		c.tasks.Close()
		return errShutDown
	}
	p.mu.Lock()
	if p.state == poolTerminated {
		p.mu.Unlock()
		c.stop(terminateGrace)
		c.tasks.Close()
		forget(w.proc)
		return nil
	}
	p.workers = append(p.workers, w)
	p.running.Add(2)
	p.mu.Unlock()
	go w.send()
	go w.receive()
	return nil
}

// Windows: how many chunks a worker is sent ahead. A worker whose chunks
// are slow gets one at a time, so that the last chunks go to whichever
// worker is free (as Python's workers take tasks from a shared queue); a
// worker whose chunks are quick gets enough to keep it busy for
// aheadTime, so that tasks and results travel in batches.
const (
	aheadTime   = 2 * time.Millisecond
	maxAhead    = 256
	slowChunk   = 5 * time.Millisecond
	startWindow = 1
)

func (w *poolWorker) windowLocked() int {
	switch {
	case w.avg == 0:
		return startWindow
	case w.avg >= slowChunk:
		return 1
	}
	return int(min(max(int64(aheadTime/max(w.avg, 1)), 2), maxAhead))
}

// send writes tasks to the worker as the queue has them and the window
// lets it, several in one write; it ends when the worker is dead, has
// been sent its MaxTasksPerChild, or is told to exit because the pool is
// closed and has nothing left.
func (w *poolWorker) send() {
	p := w.pool
	defer p.running.Done()
	defer close(w.senderDone)
	var buf []byte
	for {
		p.mu.Lock()
		for !w.dead && !w.mayTakeLocked() && !w.retiresLocked() {
			p.changed.Wait()
		}
		switch {
		case w.dead:
			p.mu.Unlock()
			return
		case w.mayTakeLocked():
		default: // retires
			p.mu.Unlock()
			if p.cfg.maxTasks == 0 || w.sent < p.cfg.maxTasks {
				w.closeWrite() // the worker exits when it has read everything
			}
			return
		}
		buf = buf[:0]
		for w.mayTakeLocked() {
			ch := p.queue[0]
			p.queue = p.queue[1:]
			if ch.job.isFinished() {
				continue // its call was interrupted
			}
			if !w.known[ch.fn] {
				buf = appendFrame(buf, poolOpFunc, ch.fn, p.funcDefs[ch.fn])
				w.known[ch.fn] = true
			}
			buf = appendFrame(buf, poolOpTask, ch.id, ch.payload)
			w.outstanding = append(w.outstanding, ch)
			w.sent++
		}
		p.mu.Unlock()
		if len(buf) == 0 {
			continue
		}
		if _, err := w.c.tasks.Write(buf); err != nil {
			return // the worker is gone; receive finds out and settles its tasks
		}
	}
}

func (w *poolWorker) mayTakeLocked() bool {
	p := w.pool
	return len(p.queue) > 0 && p.broken == nil && len(w.outstanding) < w.windowLocked() &&
		len(w.outstanding) < p.fairShareLocked() &&
		(p.cfg.maxTasks == 0 || w.sent < p.cfg.maxTasks)
}

// fairShareLocked is how many chunks one worker may hold: its part of all
// the work there is, so that a worker whose window is wide (its last tasks
// were quick) leaves the others their part of a call whose tasks are slow.
func (p *Pool) fairShareLocked() int {
	work := len(p.queue)
	for _, w := range p.workers {
		work += len(w.outstanding)
	}
	n := max(len(p.workers), 1)
	return max((work+n-1)/n, 1)
}

// retiresLocked: the worker will get no more tasks: it was sent its
// MaxTasksPerChild (and exits by itself), or the pool is closed and has
// none left, or terminated.
func (w *poolWorker) retiresLocked() bool {
	p := w.pool
	switch {
	case p.cfg.maxTasks > 0 && w.sent >= p.cfg.maxTasks:
		return true
	case p.state == poolTerminated:
		return true
	case p.state == poolClosed || p.broken != nil:
		return len(p.queue) == 0 && len(w.outstanding) == 0 || p.broken != nil
	}
	return false
}

// closeWrite ends the worker's task stream: it exits once it has run what
// it was sent.
func (w *poolWorker) closeWrite() {
	if rc, err := w.c.tasks.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.Shutdown(int(fd), syscall.SHUT_WR) })
	}
}

// receive reads the worker's results until its channel ends, then settles
// what it left and has it replaced.
func (w *poolWorker) receive() {
	p := w.pool
	defer p.running.Done()
	in := bufio.NewReaderSize(w.c.tasks, 64<<10)
	for {
		f, err := readFrame(in)
		if err != nil {
			if errors.Is(err, errBrokenFrame) {
				// Not the end of a worker that exited, even mid-frame: it
				// sent what no worker sends, and nothing it sends next can
				// be read. Stop it, or its tasks would wait for ever.
				p.mu.Lock()
				if w.stopReason == "" {
					w.stopReason = "sent a broken message (" + err.Error() + ") and was stopped"
				}
				p.mu.Unlock()
				w.c.signal(syscall.SIGKILL)
			}
			break
		}
		switch f.op {
		case poolOpResult:
			w.deliver(f)
		case poolOpInit:
			r := wireReader{b: f.payload}
			fail := r.failure()
			p.breakPool(&TaskError{Func: p.tmpl.Pool.Init, Worker: w.proc.Name, Pid: w.c.pid,
				Message: "the pool's initializer failed: " + fail.Message, Traceback: fail.Traceback, Err: ErrInitializer})
		}
	}
	<-w.c.exited
	w.ended()
}

// deliver hands a result to its call.
func (w *poolWorker) deliver(f frame) {
	p := w.pool
	res, err := parseResult(f.payload)
	p.mu.Lock()
	if len(w.outstanding) == 0 || w.outstanding[0].id != f.id {
		p.mu.Unlock()
		return // not a reply to what it was sent: a broken worker; its end settles the rest
	}
	ch := w.outstanding[0]
	w.outstanding = w.outstanding[1:]
	if err == nil {
		if w.avg == 0 || w.avgFn != ch.fn {
			w.avg, w.avgFn = res.ran, ch.fn
		} else {
			w.avg = (7*w.avg + res.ran) / 8
		}
	}
	p.changed.Broadcast()
	p.mu.Unlock()
	if err != nil {
		ch.job.failChunk(ch, w.taskError(ch, "sent a broken reply: "+err.Error(), ErrWorkerDied))
		return
	}
	// The worker's wall-clock start, put on this process's monotonic
	// clock, as the Timeline's other times are.
	now := time.Now()
	w.rec.noteChunk(now.Add(time.Unix(0, res.began).Sub(now.Round(0))), res.ran, ch.count)
	ch.job.deliver(ch, res, w)
}

// ended settles a worker that exited: the task it was running fails,
// saying how it ended; the ones it was sent and had not begun go back to
// the queue; and a replacement starts if the pool still needs workers.
func (w *poolWorker) ended() {
	p := w.pool
	code := w.c.code()
	p.mu.Lock()
	w.dead = true
	p.workers = slices.DeleteFunc(p.workers, func(x *poolWorker) bool { return x == w })
	left := w.outstanding
	w.outstanding = nil
	var running *chunk
	broken := p.broken
	if broken != nil {
		// Nothing will run them: they fail as the pool's calls do.
		p.mu.Unlock()
		for _, ch := range left {
			ch.job.failChunk(ch, asTaskError(ch.job.fname, broken))
		}
		p.mu.Lock()
		left = nil
	}
	if len(left) > 0 {
		running = left[0]
		var back []*chunk
		for _, ch := range left[1:] {
			if !ch.job.isFinished() {
				back = append(back, ch)
			}
		}
		if p.state == poolTerminated {
			// No worker will take them: they fail as Terminate's queue did.
			p.mu.Unlock()
			for _, ch := range back {
				ch.job.failChunk(ch, &TaskError{Func: ch.job.fname, Message: "the pool was terminated before the task ran", Err: ErrPoolTerminated})
			}
			p.mu.Lock()
			back = nil
		}
		p.queue = append(back, p.queue...)
	}
	reason := w.stopReason
	replace := p.broken == nil && (p.state == poolRunning || p.state == poolClosed && len(p.queue) > 0)
	p.changed.Broadcast()
	p.mu.Unlock()

	if running != nil {
		if reason == "" {
			reason = "died (" + describeExit(code) + ")"
		}
		running.job.failChunk(running, w.taskError(running, reason+" while running this task", ErrWorkerDied))
	}
	<-w.senderDone
	w.c.tasks.Close()
	forget(w.proc)
	if !replace {
		return
	}
	if generation() != p.gen {
		p.breakPool(errShutDown)
		return
	}
	if err := p.startWorker(context.Background()); err != nil {
		p.breakPool(fmt.Errorf("mp: Pool: replacing worker %s: %w", w.proc.Name, err))
	}
}

// describeExit says how a worker ended, from its exit code.
func describeExit(code ExitCode) string {
	switch {
	case code == ExitCode(-syscall.SIGKILL):
		return "killed by SIGKILL, exit code -9"
	case code == ExitCode(-syscall.SIGTERM):
		return "terminated by SIGTERM, exit code -15"
	case code < 0:
		return fmt.Sprintf("killed by signal %d, exit code %d", -code, code)
	}
	return fmt.Sprintf("exit code %d", code)
}

func (w *poolWorker) taskError(ch *chunk, msg string, cause error) *TaskError {
	return &TaskError{Func: ch.job.fname, Worker: w.proc.Name, Pid: w.c.pid,
		Message: fmt.Sprintf("worker %s (pid %d) %s", w.proc.Name, w.c.pid, msg), Err: cause}
}

// breakPool fails every queued task and every later call with err: no
// worker can run them.
func (p *Pool) breakPool(err error) {
	p.mu.Lock()
	if p.broken == nil {
		p.broken = err
	}
	queued := p.queue
	p.queue = nil
	p.changed.Broadcast()
	p.mu.Unlock()
	for _, ch := range queued {
		ch.job.failChunk(ch, asTaskError(ch.job.fname, err))
	}
}
