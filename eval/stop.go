package eval

import (
	"context"
	"reflect"
	"sync"
	"time"
	_ "unsafe" // for go:linkname

	"github.com/traefik/yaegi/interp"
)

// yaegi's ExecuteWithContext returns as soon as its context is cancelled,
// while the interpreted code it started is still unwinding, and then writes
// its results from that goroutine (a data race inside yaegi); the next cell
// would also be compiled while the old one still runs. gomp runs a unit
// itself and, on interrupt, asks the interpreter to stop and waits until the
// unit has really ended. Stopping needs the interpreter's unexported stop
// method: it bumps the run id that every interpreted loop checks and closes
// the channel every interpreted channel operation selects on.

//go:linkname interpreterStop github.com/traefik/yaegi/interp.(*Interpreter).stop
func interpreterStop(*interp.Interpreter)

// stopGrace is how long an interrupted unit may take to unwind. A unit
// blocked in native code that ignores the stop (sync.WaitGroup.Wait on a
// counter that never reaches zero) is left behind after it; its goroutine
// ends when that call returns.
const stopGrace = 500 * time.Millisecond

// unitRunner runs compiled units so that an interrupt stops them.
type unitRunner struct {
	mu    sync.Mutex
	in    *interp.Interpreter // the interpreter live is about
	live  bool                // in has an open stop channel
	empty *interp.Program     // an empty program of in
}

type unitResult struct {
	v   reflect.Value
	err error
}

// execute runs prog in in until it ends or ctx is cancelled; then it stops
// the interpreter and waits (up to stopGrace) for the unit to end. It returns
// context.Cause(ctx) when stopped.
// runHooks are the session's parts in running a unit.
type runHooks struct {
	beforeStop func() // the unit is about to be stopped
	afterStop  func() // it has been
	failed     func() // in the unit's goroutine, when it ended with an error
}

func (r *unitRunner) execute(ctx context.Context, in *interp.Interpreter, prog *interp.Program, hooks runHooks) (reflect.Value, error) {
	if err := r.freshen(in); err != nil {
		return reflect.Value{}, err
	}
	done := make(chan unitResult, 1)
	go func() {
		var res unitResult
		defer func() {
			if p := recover(); p != nil {
				res.err = &internalError{value: p}
			}
			done <- res
		}()
		res.v, res.err = in.Execute(prog)
		if res.err != nil {
			hooks.failed()
		}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-ctx.Done():
	}
	r.mu.Lock()
	if r.in == in {
		r.live = false
	}
	r.mu.Unlock()
	hooks.beforeStop()
	interpreterStop(in)
	hooks.afterStop()
	timer := time.NewTimer(stopGrace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	}
	return reflect.Value{}, context.Cause(ctx)
}

// freshen gives the interpreter a stop channel when it has none open (a new
// interpreter has none; stop closes it), by running an empty program through
// ExecuteWithContext, which makes one. Interpreted channel operations select
// on it.
func (r *unitRunner) freshen(in *interp.Interpreter) (err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.in == in && r.live {
		return nil
	}
	defer recoverYaegi(&err)
	if r.in != in || r.empty == nil {
		empty, err := in.Compile("")
		if err != nil {
			return err
		}
		r.in, r.empty = in, empty
	}
	if _, err := in.ExecuteWithContext(context.Background(), r.empty); err != nil {
		return err
	}
	r.live = true
	return nil
}
