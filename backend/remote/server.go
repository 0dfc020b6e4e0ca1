package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"sync"

	"gomp/backend"
)

// SessionFD is the descriptor on which a session process finds its end of
// the channel to the kernel (the first of os/exec's ExtraFiles).
const SessionFD = 3

// InheritedConn returns the channel a session process was started with.
// The inherited descriptor is closed once it is duplicated, so that the
// session's own children (mp's) do not inherit it and keep it open after
// the session died.
func InheritedConn() (net.Conn, error) {
	f := os.NewFile(SessionFD, "gomp-session")
	if f == nil {
		return nil, fmt.Errorf("no session channel on fd %d", SessionFD)
	}
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("the session channel on fd %d: %w", SessionFD, err)
	}
	return c, nil
}

// Serve runs interp for the kernel at the other end of c until the kernel
// asks it to close or closes the channel; either way interp.Close has been
// called when Serve returns. Cells still running then are abandoned: the
// caller is expected to exit the process, which ends them.
func Serve(c net.Conn, interp backend.Interpreter) error {
	conn := newConn(c, 0)
	s := &server{
		conn:   conn,
		out:    newOutbox(conn, flushDelay),
		interp: interp,
		cells:  make(map[uint64]context.CancelFunc),
		inputs: make(map[uint64]chan *frame),
		done:   make(chan struct{}),
	}
	defer c.Close()
	defer s.out.stop()
	defer close(s.done)
	warning, err := s.start()
	if err != nil {
		interp.Close()
		return err
	}
	info := interp.Info()
	if err := s.out.send(&frame{Op: opHello, Info: &info, Error: warning}); err != nil {
		interp.Close()
		return err
	}
	for {
		f, err := s.conn.receive()
		if err != nil {
			// The kernel is gone (EOF) or the channel is broken: nobody
			// can be answered any more.
			interp.Close()
			if errors.Is(err, net.ErrClosed) || isEOF(err) {
				return nil
			}
			return err
		}
		if f.Op == opClose {
			err := interp.Close()
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			s.out.send(&frame{Op: opClosed, ID: f.ID, Error: msg})
			return err
		}
		if err := s.dispatch(f); err != nil {
			interp.Close()
			return err
		}
	}
}

// Replayer is an interpreter whose declarations can outlive its process:
// the kernel keeps the last ReplayLog of a session (bytes it never reads)
// and gives it to the next session's Replay when the first one died. eval's
// Session is one.
type Replayer interface {
	// ReplayLog is what a new session needs to start where this one is;
	// asked for after every cell.
	ReplayLog() ([]byte, error)
	// Replay loads a log into an interpreter that has run no cell; on
	// failure the interpreter is left fresh.
	Replay(log []byte) error
}

// server is the session side of one channel.
type server struct {
	conn   *conn   // read from here
	out    *outbox // and send through here, never to conn directly
	interp backend.Interpreter
	done   chan struct{} // closed when Serve returns

	replayMu sync.Mutex // serialises sendReplay; never held with mu
	sent     []byte     // the last replay log sent

	mu        sync.Mutex
	cells     map[uint64]context.CancelFunc // running executes, by id
	inputs    map[uint64]chan *frame        // input requests waiting for the kernel
	nextInput uint64
}

// start reads the kernel's first frame and replays the log it carries. A
// log that cannot be replayed is no reason not to serve: the interpreter
// is then fresh, and the warning says so to the kernel.
func (s *server) start() (warning string, err error) {
	f, err := s.conn.receive()
	if err != nil {
		return "", fmt.Errorf("reading the kernel's start frame: %w", err)
	}
	if f.Op != opStart {
		return "", fmt.Errorf("the kernel's first frame is %q, not %q", f.Op, opStart)
	}
	r, ok := s.interp.(Replayer)
	if len(f.Replay) == 0 || !ok {
		return "", nil
	}
	err = func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				fmt.Fprintf(os.Stderr, "the interpreter panicked replaying its log: %v\n%s", p, debug.Stack())
				err = fmt.Errorf("the interpreter panicked: %v", p)
			}
		}()
		return r.Replay(f.Replay)
	}()
	if err != nil {
		fmt.Fprintf(os.Stderr, "replaying the notebook's declarations: %v\n", err)
		return err.Error(), nil
	}
	return "", nil
}

// sendReplay sends the interpreter's replay log when it changed since the
// last one sent, or says why there is none, so that the kernel never keeps
// a log older than the session's declarations.
func (s *server) sendReplay() {
	r, ok := s.interp.(Replayer)
	if !ok {
		return
	}
	log, err := func() (log []byte, err error) {
		defer func() {
			if p := recover(); p != nil {
				fmt.Fprintf(os.Stderr, "the interpreter panicked making its replay log: %v\n%s", p, debug.Stack())
				err = fmt.Errorf("the interpreter panicked: %v", p)
			}
		}()
		return r.ReplayLog()
	}()
	s.replayMu.Lock()
	defer s.replayMu.Unlock()
	if err == nil && bytes.Equal(log, s.sent) {
		return
	}
	f := &frame{Op: opReplay, Replay: log}
	if err != nil {
		f = &frame{Op: opReplay, Error: err.Error()}
	}
	if serr := s.out.send(f); errors.Is(serr, errUnsendable) {
		f = &frame{Op: opReplay, Error: serr.Error()}
		s.out.send(f)
	}
	s.sent = f.Replay
}

// dispatch handles one request. Requests that run interpreter code each get
// a goroutine, so that an interrupt or an editor request is read while a
// cell runs; each ends when the interpreter returns.
func (s *server) dispatch(f *frame) error {
	switch f.Op {
	case opExecute:
		if f.Execute == nil {
			return errors.New("an execute frame without a request")
		}
		ctx, cancel := context.WithCancel(context.Background())
		s.mu.Lock()
		s.cells[f.ID] = cancel
		s.mu.Unlock()
		go s.execute(ctx, cancel, f.ID, *f.Execute)
	case opInterrupt:
		s.mu.Lock()
		cancel := s.cells[f.Cell]
		s.mu.Unlock()
		if cancel != nil {
			cancel()
		}
	case opComplete:
		empty := backend.Completion{Matches: []string{}, CursorStart: f.Cursor, CursorEnd: f.Cursor}
		go s.answer(&frame{Op: opCompletion, ID: f.ID, Completion: &empty}, func(r *frame) {
			c := s.interp.Complete(f.Code, f.Cursor)
			r.Completion = &c
		})
	case opInspect:
		go s.answer(&frame{Op: opInspection, ID: f.ID, Inspection: &backend.Inspection{}}, func(r *frame) {
			in := s.interp.Inspect(f.Code, f.Cursor, f.Detail)
			r.Inspection = &in
		})
	case opIsComplete:
		go s.answer(&frame{Op: opCompleteness, ID: f.ID, Completeness: &backend.Completeness{Status: "unknown"}}, func(r *frame) {
			c := s.interp.IsComplete(f.Code)
			r.Completeness = &c
		})
	case opInputReply:
		s.mu.Lock()
		ch := s.inputs[f.ID]
		delete(s.inputs, f.ID)
		s.mu.Unlock()
		if ch != nil {
			ch <- f // buffered: the waiter may have gone
		}
	default:
		return fmt.Errorf("unknown request %q from the kernel", f.Op)
	}
	return nil
}

func (s *server) execute(ctx context.Context, cancel context.CancelFunc, id uint64, req backend.ExecuteRequest) {
	defer cancel()
	res := s.runCell(ctx, id, req)
	s.mu.Lock()
	delete(s.cells, id)
	s.mu.Unlock()
	// Before the result: the kernel has the cell's declarations by the
	// time the cell is over.
	s.sendReplay()
	err := s.out.send(&frame{Op: opResult, ID: id, Result: &res})
	if errors.Is(err, errUnsendable) {
		s.out.send(&frame{Op: opResult, ID: id, Result: &backend.ExecuteResult{Err: unsendable("the cell's result", err)}})
	}
}

// runCell calls the interpreter, turning a panic that escaped it into a
// failed cell (the session would otherwise die of it).
func (s *server) runCell(ctx context.Context, id uint64, req backend.ExecuteRequest) (res backend.ExecuteResult) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "the interpreter panicked: %v\n%s", p, debug.Stack())
			v := fmt.Sprintf("the interpreter panicked: %v", p)
			res = backend.ExecuteResult{Err: &backend.Error{Name: "KernelError", Value: v, Traceback: []string{"KernelError: " + v}}}
		}
	}()
	return s.interp.Execute(ctx, req, &remoteOutput{s: s, cell: id})
}

// answer runs an editor request and sends its reply, which is empty as
// given when the interpreter panics or its answer cannot be sent.
func (s *server) answer(empty *frame, fill func(*frame)) {
	r := *empty
	func() {
		defer func() {
			if p := recover(); p != nil {
				fmt.Fprintf(os.Stderr, "the interpreter panicked answering %s: %v\n%s", empty.Op, p, debug.Stack())
				r = *empty
			}
		}()
		fill(&r)
	}()
	if err := s.out.send(&r); errors.Is(err, errUnsendable) {
		fmt.Fprintf(os.Stderr, "the %s: %v\n", empty.Op, err)
		s.out.send(empty)
	}
}

// unsendable is the error a cell gets instead of output that cannot cross
// to the kernel.
func unsendable(what string, err error) *backend.Error {
	v := fmt.Sprintf("%s cannot be sent to the kernel: %v", what, err)
	if errors.Is(err, errFrameTooLarge) {
		v = fmt.Sprintf("%s is larger than the %d MiB the kernel accepts from the session", what, MaxFrame>>20)
	}
	return &backend.Error{Name: "OutputError", Value: v, Traceback: []string{"\x1b[0;31mOutputError\x1b[0m: " + v}}
}

// remoteOutput is the Output of one cell on the session side: each call
// becomes a frame naming the cell, so that output arriving after the cell
// returned is still published under it by the kernel.
type remoteOutput struct {
	s    *server
	cell uint64
}

// Stream hands text to the outbox, which sends it with the text written
// just before and after it (see outbox).
func (o *remoteOutput) Stream(name, text string) {
	o.s.out.stream(o.cell, name, text) // an error: the kernel is gone
}

func (o *remoteOutput) Display(d backend.Display) {
	err := o.s.out.send(&frame{Op: opDisplay, Cell: o.cell, Display: &d})
	if errors.Is(err, errUnsendable) {
		o.Stream("stderr", unsendable("a display", err).Value+": not shown\n")
	}
}

func (o *remoteOutput) ClearOutput(wait bool) {
	o.s.out.send(&frame{Op: opClear, Cell: o.cell, Wait: wait})
}

// Input asks the kernel for a line and waits for the answer, ctx, or the
// end of the channel.
func (o *remoteOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	s := o.s
	ch := make(chan *frame, 1)
	s.mu.Lock()
	s.nextInput++
	id := s.nextInput
	s.inputs[id] = ch
	s.mu.Unlock()
	forget := func() {
		s.mu.Lock()
		delete(s.inputs, id)
		s.mu.Unlock()
	}
	if err := s.out.send(&frame{Op: opInput, ID: id, Cell: o.cell, Prompt: prompt, Password: password}); err != nil {
		forget()
		return "", err
	}
	select {
	case r := <-ch:
		switch r.Error {
		case "":
			return r.Text, nil
		case inputNoStdin:
			return "", backend.ErrNoStdin
		case inputCancelled:
			return "", context.Canceled
		default:
			return "", errors.New(r.Error)
		}
	case <-ctx.Done():
		forget()
		s.out.send(&frame{Op: opInputCancel, ID: id})
		return "", ctx.Err()
	case <-s.done:
		forget()
		return "", errors.New("the kernel closed the session")
	}
}
