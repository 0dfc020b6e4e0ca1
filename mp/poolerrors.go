package mp

import (
	"errors"
	"strings"
)

// TaskError is how a task of a Pool failed: the panic (or returned error)
// of its function in the worker, with the worker's traceback, or the end of
// the worker that ran it. Reading the result of a failed task panics with
// it, as Python re-raises the worker's exception; Err returns it.
type TaskError struct {
	Func      string   // the function of the call: "square"
	Worker    string   // the worker that ran the task: "SpawnPoolWorker-2"; "" if none did
	Pid       int      // its pid
	Message   string   // the panic's value or the error's text, or what happened to the worker
	Traceback []string // the worker's traceback of a panic, innermost first
	Err       error    // ErrWorkerDied, ErrPoolTerminated, ErrInterrupted, ErrInitializer, or nil for the task's own panic or error
}

// Error gives the message and the worker's traceback, as Python shows a
// task's exception with its remote traceback.
func (e *TaskError) Error() string {
	var b strings.Builder
	b.WriteString("mp: task ")
	b.WriteString(e.Func)
	if e.Worker != "" && e.Err == nil {
		b.WriteString(" in ")
		b.WriteString(e.Worker)
		b.WriteString(" (pid ")
		b.WriteString(itoa(e.Pid))
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	if len(e.Traceback) > 0 {
		b.WriteString("\n\nworker traceback:")
		for _, l := range e.Traceback {
			b.WriteString("\n")
			b.WriteString(l)
		}
	}
	return b.String()
}

func (e *TaskError) Unwrap() error { return e.Err }

var (
	// ErrTimeout is what Get(timeout) panics with when the result is not
	// ready in time (Python's multiprocessing.TimeoutError).
	ErrTimeout = errors.New("timed out waiting for the result")
	// ErrWorkerDied: the worker running the task ended (killed, crashed,
	// os.Exit).
	ErrWorkerDied = errors.New("the pool's worker died")
	// ErrPoolTerminated: Pool.Terminate ran before the task finished.
	ErrPoolTerminated = errors.New("the pool was terminated")
	// ErrInterrupted: the cell waiting for the task was interrupted.
	ErrInterrupted = errors.New("interrupted")
	// ErrInitializer: the pool's initializer failed, so no worker can run.
	ErrInitializer = errors.New("the pool's initializer failed")

	errShutDown = errors.New("mp was shut down (the kernel is shutting down or restarting)")
)

// asTaskError makes err a task's error.
func asTaskError(fname string, err error) *TaskError {
	var te *TaskError
	if errors.As(err, &te) {
		c := *te
		c.Func = fname
		return &c
	}
	return &TaskError{Func: fname, Message: err.Error(), Err: err}
}
