package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"gomp/backend"
)

// Options configure a Client.
type Options struct {
	// Command is the session program and its arguments (the gomp binary
	// and "session"); it must call Serve on InheritedConn.
	Command []string
	// Env is the session's environment; nil means this process's.
	Env []string
	// Stderr receives the session's stderr (the kernel's log); nil
	// discards it.
	Stderr io.Writer
	// Logger receives the client's own log; nil discards it.
	Logger *log.Logger
	// InterruptGrace is how long a cell may go on after an interrupt
	// before the kernel stops its session: code that no interrupt reaches
	// (a deadlock inside compiled code) must not hang the notebook, or a
	// grader's timeout, for good. Zero means DefaultInterruptGrace; a
	// negative value waits for ever.
	InterruptGrace time.Duration
	// AfterExit, if set, is called with a session's pid once it exited and
	// was reaped, for cleaning up what a dead session could not.
	AfterExit func(pid int)
}

// DefaultInterruptGrace is Options.InterruptGrace's default: five times
// what an interrupt takes to stop any cell the interpreter can stop.
const DefaultInterruptGrace = 5 * time.Second

// Timeouts of the client. None bounds a cell: a cell runs as long as it
// likes, and only an interrupt or the session's death ends it.
const (
	// editorTimeout bounds a completion, inspection or is_complete: the
	// session answers them between a running cell's steps, and an editor
	// request must not hang the kernel's channel behind a busy cell.
	editorTimeout = 3 * time.Second
	// infoTimeout bounds the wait for a starting session's Info.
	infoTimeout = 30 * time.Second
	// closeTimeout is how long Close lets the session shut down (mp ends
	// its children then) before it kills it.
	closeTimeout = 5 * time.Second
	// stderrGrace is how long after the session's exit its stderr may
	// still be read for the fatal message.
	stderrGrace = 2 * time.Second
	// exitGrace is how long a session that closed its channel has to exit
	// (a dying process closes its channel a moment before it is gone).
	exitGrace = time.Second
	// writeTimeout bounds a frame's write to a session that stopped
	// reading (a stopped process); the session is then treated as dead.
	writeTimeout = 10 * time.Second
)

// Client is a backend.Interpreter whose cells run in a session process.
// When that process dies, the cell running in it fails with an error that
// says why, and a new session serves the next cell.
type Client struct {
	opts   Options
	log    *log.Logger
	stderr io.Writer
	ids    atomic.Uint64

	mu     sync.Mutex
	cur    *session       // the session in use; nil before the first or after a failed start
	note   *backend.Error // a death no cell has reported yet
	closed bool

	infoMu sync.Mutex
	info   *backend.LanguageInfo

	// replay is the current session's last replay log (see Replayer): the
	// next session starts from it when this one dies. The kernel only
	// keeps and passes it.
	replayMu sync.Mutex
	replay   []byte
}

var _ backend.Interpreter = (*Client)(nil)

// Start starts the first session and returns at once; the session gets
// ready while the kernel binds its sockets.
func Start(opts Options) (*Client, error) {
	if len(opts.Command) == 0 {
		return nil, errors.New("remote: no session command")
	}
	c := &Client{opts: opts, log: opts.Logger, stderr: opts.Stderr}
	if c.log == nil {
		c.log = log.New(io.Discard, "", 0)
	}
	if c.stderr == nil {
		c.stderr = io.Discard
	}
	s, err := c.startSession()
	if err != nil {
		return nil, err
	}
	c.cur = s
	return c, nil
}

// session is one session process and the client's view of its channel.
type session struct {
	c      *Client
	proc   *os.Process
	conn   *conn
	stderr *stderrWatch
	hello  chan struct{}    // closed when the hello frame came
	dead   chan struct{}    // closed once the process is gone and death is set
	exited chan struct{}    // closed when the process was reaped
	state  *os.ProcessState // set before exited is closed
	info   backend.LanguageInfo
	// unreplayed is, when the session could not replay the notebook's
	// declarations, what the next cell says about it on stderr (once).
	unreplayed string

	mu        sync.Mutex
	pending   map[uint64]chan *frame        // requests waiting for their reply
	outputs   map[uint64]backend.Output     // every execute's Output, for late output
	inputs    map[uint64]context.CancelFunc // input requests being answered
	executing int                           // executes sent and not answered
	stopping  map[uint64]*interrupted       // executes interrupted and not answered
	death     *backend.Error                // how it ended; set once
	reason    string                        // why the client stopped it, if it did
	reasonAs  string                        // the ename for reason
	closing   bool                          // Close stops it: its end is no cell's error
}

func (c *Client) startSession() (*session, error) {
	env := c.opts.Env
	if env == nil {
		env = os.Environ()
	}
	p, err := startProcess(c.opts.Command, env)
	if err != nil {
		return nil, err
	}
	s := &session{
		c:        c,
		proc:     p.proc,
		conn:     newConn(p.conn, writeTimeout),
		stderr:   watchStderr(p.stderr, c.stderr),
		hello:    make(chan struct{}),
		dead:     make(chan struct{}),
		exited:   make(chan struct{}),
		pending:  make(map[uint64]chan *frame),
		outputs:  make(map[uint64]backend.Output),
		inputs:   make(map[uint64]context.CancelFunc),
		stopping: make(map[uint64]*interrupted),
	}
	log := c.replayLog()
	c.log.Printf("session process %d started (%d bytes of declarations to replay)", s.proc.Pid, len(log))
	go s.reap()
	go s.read()
	// The first frame, before any request can be sent on s. A session
	// that died at once fails this; its reader buries it.
	if err := s.conn.send(&frame{Op: opStart, Replay: log}); err != nil {
		c.log.Printf("starting session process %d: %v", s.proc.Pid, err)
	}
	return s, nil
}

func (c *Client) replayLog() []byte {
	c.replayMu.Lock()
	defer c.replayMu.Unlock()
	return c.replay
}

func (c *Client) setReplayLog(log []byte) {
	c.replayMu.Lock()
	defer c.replayMu.Unlock()
	c.replay = log
}

// reap waits for the process; it ends when the process does.
func (s *session) reap() {
	state, err := s.proc.Wait()
	if err != nil {
		s.c.log.Printf("waiting for session process %d: %v", s.proc.Pid, err)
	}
	s.state = state
	close(s.exited)
}

// read dispatches the session's frames until the channel ends, then
// buries the session. Output is delivered in order, from this goroutine,
// so that a cell's output is all published before its result.
func (s *session) read() {
	for {
		f, err := s.conn.receive()
		if err != nil {
			if !isEOF(err) {
				s.stop(fmt.Sprintf("the session's channel failed: %v; the kernel stopped the session", err))
			}
			s.bury()
			return
		}
		if err := s.handle(f); err != nil {
			s.stop(fmt.Sprintf("the session sent %v; the kernel stopped the session", err))
			s.bury()
			return
		}
	}
}

func (s *session) handle(f *frame) error {
	switch f.Op {
	case opHello:
		if f.Info == nil {
			return errors.New("a hello without language info")
		}
		select {
		case <-s.hello:
			return errors.New("a second hello")
		default:
		}
		s.info = *f.Info
		if f.Error != "" {
			s.c.log.Printf("session process %d could not replay the notebook's declarations: %s", s.proc.Pid, f.Error)
			s.mu.Lock()
			s.unreplayed = f.Error
			s.mu.Unlock()
		}
		close(s.hello)
	case opReplay:
		if f.Error != "" {
			s.c.log.Printf("session process %d has no replay log: %s", s.proc.Pid, f.Error)
		}
		s.c.setReplayLog(f.Replay)
	case opResult, opCompletion, opInspection, opCompleteness, opClosed:
		if err := checkReply(f); err != nil {
			return err
		}
		if f.Op == opResult {
			s.noteDropped(f.ID)
		}
		s.mu.Lock()
		ch := s.pending[f.ID]
		delete(s.pending, f.ID)
		s.mu.Unlock()
		if ch != nil {
			ch <- f // buffered
		}
	case opStream, opDisplay, opClear:
		out := s.output(f.Cell)
		if out == nil {
			return fmt.Errorf("output for unknown cell %d", f.Cell)
		}
		switch f.Op {
		case opStream:
			if !s.dropsAfterInterrupt(f) {
				out.Stream(f.Name, f.Text)
			}
		case opDisplay:
			if f.Display == nil {
				return errors.New("a display frame without a display")
			}
			out.Display(*f.Display)
		case opClear:
			out.ClearOutput(f.Wait)
		}
	case opInput:
		out := s.output(f.Cell)
		if out == nil {
			return fmt.Errorf("an input request for unknown cell %d", f.Cell)
		}
		ctx, cancel := context.WithCancel(context.Background())
		s.mu.Lock()
		s.inputs[f.ID] = cancel
		s.mu.Unlock()
		go s.input(ctx, cancel, out, f)
	case opInputCancel:
		s.mu.Lock()
		cancel := s.inputs[f.ID]
		s.mu.Unlock()
		if cancel != nil {
			cancel()
		}
	default:
		return fmt.Errorf("an unknown frame %q", f.Op)
	}
	return nil
}

// interruptDrain is how long after an interrupt a cell's stream text still
// reaches the notebook; what comes later, until the cell's result, is
// dropped. The kernel paces stream messages (100 a second), and a cell
// that alternates stdout and stderr makes one message per line: the
// channel can then hold thousands of them ahead of the result, which
// would come (and the cell stop, its writes being blocked behind them)
// only when all were paced out, tens of seconds after the interrupt.
// A cell that stops at once has its last output delivered well within it.
const interruptDrain = 250 * time.Millisecond

// interrupted is an execute the kernel has interrupted.
type interrupted struct {
	at      time.Time
	dropped int // bytes of stream text dropped since interruptDrain
}

// dropsAfterInterrupt tells whether f, a stream frame, comes from a cell
// interrupted more than interruptDrain ago, and counts it then.
func (s *session) dropsAfterInterrupt(f *frame) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.stopping[f.Cell]
	if in == nil || time.Since(in.at) < interruptDrain {
		return false
	}
	in.dropped += len(f.Text)
	return true
}

// noteDropped says on the cell's stderr, before its result, how much of
// its output the interrupt dropped.
func (s *session) noteDropped(id uint64) {
	s.mu.Lock()
	in := s.stopping[id]
	delete(s.stopping, id)
	out := s.outputs[id]
	s.mu.Unlock()
	if in == nil || in.dropped == 0 || out == nil {
		return
	}
	out.Stream("stderr", fmt.Sprintf("(%d bytes the cell printed before it stopped are not shown: "+
		"they were still waiting behind its earlier output when it was interrupted)\n", in.dropped))
}

// checkReply rejects a reply without the value its op carries.
func checkReply(f *frame) error {
	missing := false
	switch f.Op {
	case opResult:
		missing = f.Result == nil
	case opCompletion:
		missing = f.Completion == nil
	case opInspection:
		missing = f.Inspection == nil
	case opCompleteness:
		missing = f.Completeness == nil
	}
	if missing {
		return fmt.Errorf("a %s frame without its value", f.Op)
	}
	return nil
}

func (s *session) output(cell uint64) backend.Output {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outputs[cell]
}

// input asks the frontend for a line on the session's behalf; it ends when
// the user answers, the session stops waiting, or the session dies.
func (s *session) input(ctx context.Context, cancel context.CancelFunc, out backend.Output, f *frame) {
	defer cancel()
	text, err := out.Input(ctx, f.Prompt, f.Password)
	s.mu.Lock()
	delete(s.inputs, f.ID)
	s.mu.Unlock()
	r := &frame{Op: opInputReply, ID: f.ID, Text: text}
	switch {
	case err == nil:
	case errors.Is(err, backend.ErrNoStdin):
		r.Error = inputNoStdin
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		r.Error = inputCancelled
	default:
		r.Error = err.Error()
	}
	if ctx.Err() == nil || r.Error != inputCancelled {
		s.conn.send(r)
	}
}

// stop kills the session for a reason of the kernel's.
func (s *session) stop(reason string) { s.stopAs("SessionDied", reason) }

// stopAs is stop with the ename of the error the running cell gets.
func (s *session) stopAs(name, reason string) {
	s.mu.Lock()
	if s.reason == "" {
		s.reason, s.reasonAs = reason, name
	}
	s.mu.Unlock()
	s.c.log.Printf("stopping session process %d: %s", s.proc.Pid, reason)
	s.proc.Kill()
}

// bury is the end of a session whose channel ended: the process is killed
// if it does not exit by itself (it can serve nobody any more), reaped,
// and its death described from its exit and its last words on stderr. A
// death that no running cell reports becomes the note of the next cell.
func (s *session) bury() {
	s.mu.Lock()
	grace := exitGrace
	if s.closing {
		grace = closeTimeout
	}
	s.mu.Unlock()
	select {
	case <-s.exited:
	case <-time.After(grace):
		s.stop("the session closed its channel but did not exit")
		<-s.exited
	}
	if s.c.opts.AfterExit != nil {
		s.c.opts.AfterExit(s.proc.Pid)
	}
	select {
	case <-s.stderr.done:
	case <-time.After(stderrGrace):
	}
	s.mu.Lock()
	death := deathError(s.state, s.stderr.message(), s.reasonAs, s.reason, len(s.c.replayLog()) > 0)
	started := true
	select {
	case <-s.hello:
	default: // it never served: no cell's state was lost, it never ran
		started = false
		// Nor will the next one if the log killed it: it starts empty.
		if !s.closing && len(s.c.replayLog()) > 0 {
			s.c.log.Printf("session process %d died before it was ready: the next one starts without the notebook's declarations", s.proc.Pid)
			s.c.setReplayLog(nil)
		}
		death = &backend.Error{
			Name:      death.Name,
			Value:     "the Go session did not start: " + death.Value,
			Traceback: []string{"The Go session did not start (its stderr is in the kernel's log).", "\x1b[0;31m" + death.Name + "\x1b[0m: the Go session did not start: " + death.Value},
		}
	}
	s.death = death
	expected := s.closing
	unreported := s.executing == 0 && !expected
	for _, cancel := range s.inputs {
		cancel()
	}
	if unreported {
		// Under s.mu, so that an Execute that finds this session dead
		// finds the note already set.
		note := death
		if started {
			note = afterCell(death)
		}
		s.c.mu.Lock()
		s.c.note = note
		s.c.mu.Unlock()
	}
	s.mu.Unlock()
	s.conn.close()
	close(s.dead)
	if !expected {
		s.c.log.Printf("session process %d died: %s: %s", s.proc.Pid, death.Name, death.Value)
		s.c.replace(s)
	}
}

// replace starts the next session after dead died, so that the next cell
// does not wait for it. A session that died before it was ready is not
// replaced here (it could die so forever); the next request starts one.
func (c *Client) replace(dead *session) {
	select {
	case <-dead.hello:
	default:
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.cur != dead {
		return
	}
	s, err := c.startSession()
	if err != nil {
		c.log.Printf("starting a new session: %v", err)
		c.cur = nil
		return
	}
	c.cur = s
}

// live returns a session that is not known to be dead, starting one if
// needed, and the note of an unreported death when takeNote.
func (c *Client) live(takeNote bool) (*session, *backend.Error, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, nil, errors.New("the interpreter was closed")
	}
	var note *backend.Error
	if takeNote {
		note, c.note = c.note, nil
	}
	if c.cur != nil {
		select {
		case <-c.cur.dead:
		default:
			return c.cur, note, nil
		}
	}
	s, err := c.startSession()
	if err != nil {
		c.cur = nil
		return nil, note, err
	}
	c.cur = s
	return s, note, nil
}

// Info returns the language info of the first session that said hello.
func (c *Client) Info() backend.LanguageInfo {
	c.infoMu.Lock()
	defer c.infoMu.Unlock()
	if c.info != nil {
		return *c.info
	}
	deadline := time.NewTimer(infoTimeout)
	defer deadline.Stop()
	for range 3 {
		s, _, err := c.live(false)
		if err != nil {
			c.log.Printf("language info: %v", err)
			break
		}
		select {
		case <-s.hello:
			info := s.info
			c.info = &info
			return info
		case <-s.dead:
			continue
		case <-deadline.C:
		}
		break
	}
	c.log.Printf("no session answered with its language info; using a minimal one")
	return backend.LanguageInfo{Name: "go", Mimetype: "text/x-go", FileExtension: ".go"}
}

// Execute runs the cell in the current session. When that session died
// since the last cell, the cell is not run: it fails with that death.
func (c *Client) Execute(ctx context.Context, req backend.ExecuteRequest, out backend.Output) backend.ExecuteResult {
	for {
		s, note, err := c.live(true)
		if note != nil {
			return backend.ExecuteResult{Err: note}
		}
		if err != nil {
			return backend.ExecuteResult{Err: startFailed(err)}
		}
		if res, ok := s.execute(ctx, c.ids.Add(1), req, out); ok {
			return res
		}
		// s died before the cell reached it: its death is the note.
	}
}

func startFailed(err error) *backend.Error {
	v := fmt.Sprintf("could not start a Go session: %v", err)
	return &backend.Error{Name: "SessionDied", Value: v, Traceback: []string{"\x1b[0;31mSessionDied\x1b[0m: " + v}}
}

// execute sends the cell and waits for its result, relaying an interrupt.
// It returns false, having sent nothing, when s is already dead.
func (s *session) execute(ctx context.Context, id uint64, req backend.ExecuteRequest, out backend.Output) (backend.ExecuteResult, bool) {
	// The hello says whether the session replayed the notebook's
	// declarations; the cell could not run earlier anyway.
	select {
	case <-s.hello:
	case <-s.dead:
	case <-ctx.Done():
	}
	reply := make(chan *frame, 1)
	s.mu.Lock()
	if s.death != nil {
		s.mu.Unlock()
		return backend.ExecuteResult{}, false
	}
	s.executing++
	s.pending[id] = reply
	s.outputs[id] = out
	unreplayed := s.unreplayed
	s.unreplayed = ""
	s.mu.Unlock()
	if unreplayed != "" {
		out.Stream("stderr", fmt.Sprintf("The new Go session could not restore the notebook's declarations (%s): run again the cells that declare what this one needs.\n", unreplayed))
	}
	defer func() {
		s.mu.Lock()
		s.executing--
		delete(s.pending, id)
		delete(s.stopping, id)
		s.mu.Unlock()
	}()
	if err := s.conn.send(&frame{Op: opExecute, ID: id, Execute: &req}); err != nil {
		if errors.Is(err, errFrameTooLarge) {
			v := fmt.Sprintf("the cell is larger than the %d MiB a session accepts", MaxFrame>>20)
			return backend.ExecuteResult{Err: &backend.Error{Name: "CellTooLarge", Value: v, Traceback: []string{"CellTooLarge: " + v}}}, true
		}
		// A session that died between cells fails the write before its
		// reader has buried it: then its own death (killed by signal 9)
		// is what the cell reports, not the write's error.
		wait := time.NewTimer(exitGrace + stderrGrace)
		select {
		case <-s.dead:
		case <-wait.C:
			s.stop(fmt.Sprintf("the kernel could not write to the session (%v)", err))
		}
		wait.Stop()
	}
	grace := s.c.opts.InterruptGrace
	if grace == 0 {
		grace = DefaultInterruptGrace
	}
	done := ctx.Done()
	var stuck <-chan time.Time
	for {
		select {
		case f := <-reply:
			return *f.Result, true
		case <-done:
			done = nil
			s.mu.Lock()
			s.stopping[id] = &interrupted{at: time.Now()}
			s.mu.Unlock()
			if err := s.conn.send(&frame{Op: opInterrupt, Cell: id}); err != nil {
				s.stop(fmt.Sprintf("the kernel could not interrupt the session (%v)", err))
			}
			if grace > 0 {
				t := time.NewTimer(grace)
				defer t.Stop()
				stuck = t.C
			}
		case <-stuck:
			stuck = nil
			s.stopAs("Interrupted", fmt.Sprintf("the cell did not stop within %v of the interrupt, so the kernel stopped its Go session", grace))
		case <-s.dead:
			s.mu.Lock()
			death := s.death
			s.mu.Unlock()
			return backend.ExecuteResult{Err: death}, true
		}
	}
}

// call sends an editor request and waits for its reply, at most
// editorTimeout; nil when there is none.
func (c *Client) call(f *frame) *frame {
	s, _, err := c.live(false)
	if err != nil {
		c.log.Printf("%s: %v", f.Op, err)
		return nil
	}
	f.ID = c.ids.Add(1)
	reply := make(chan *frame, 1)
	s.mu.Lock()
	if s.death != nil {
		s.mu.Unlock()
		return nil
	}
	s.pending[f.ID] = reply
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, f.ID)
		s.mu.Unlock()
	}()
	if err := s.conn.send(f); err != nil {
		c.log.Printf("%s: %v", f.Op, err)
		return nil
	}
	timeout := time.NewTimer(editorTimeout)
	defer timeout.Stop()
	select {
	case r := <-reply:
		return r
	case <-s.dead:
	case <-timeout.C:
		c.log.Printf("%s: no answer from the session within %v", f.Op, editorTimeout)
	}
	return nil
}

func (c *Client) Complete(code string, cursor int) backend.Completion {
	if r := c.call(&frame{Op: opComplete, Code: code, Cursor: cursor}); r != nil {
		return *r.Completion
	}
	return backend.Completion{Matches: []string{}, CursorStart: cursor, CursorEnd: cursor}
}

func (c *Client) Inspect(code string, cursor int, detail int) backend.Inspection {
	if r := c.call(&frame{Op: opInspect, Code: code, Cursor: cursor, Detail: detail}); r != nil {
		return *r.Inspection
	}
	return backend.Inspection{}
}

func (c *Client) IsComplete(code string) backend.Completeness {
	if r := c.call(&frame{Op: opIsComplete, Code: code}); r != nil {
		return *r.Completeness
	}
	return backend.Completeness{Status: "unknown"}
}

// Close asks the session to close (mp shuts its children down then) and
// waits for it to exit, killing it after closeTimeout. No session is
// started after Close.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	s := c.cur
	c.cur = nil
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	var err error
	reply := make(chan *frame, 1)
	id := c.ids.Add(1)
	s.mu.Lock()
	s.pending[id] = reply
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if serr := s.conn.send(&frame{Op: opClose, ID: id}); serr == nil {
		select {
		case r := <-reply:
			if r.Error != "" {
				err = fmt.Errorf("closing the session: %s", r.Error)
			}
		case <-s.dead:
		case <-ctx.Done():
			c.log.Printf("session process %d did not close within %v: killing it", s.proc.Pid, closeTimeout)
		}
	}
	// After its closed reply the session exits; give it the rest of the
	// timeout, then kill it.
	select {
	case <-s.exited:
	case <-ctx.Done():
		c.log.Printf("session process %d did not exit within %v: killing it", s.proc.Pid, closeTimeout)
	}
	s.proc.Kill()
	<-s.dead
	return err
}
