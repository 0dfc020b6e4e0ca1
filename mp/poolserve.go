package mp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"time"
)

// poolStart makes a child a Pool's worker (startOrder.Pool).
type poolStart struct {
	Init     string // the initializer's Target.Func; "" for none
	InitRecv []byte // its receiver, a codec message; nil for a function
	InitArgs []byte // its arguments, a codec message
	MaxTasks int    // chunks to run before exiting; 0: no limit
}

// The worker sends results back in batches: before it blocks reading the
// next task, or when results have waited long enough, or when the task it
// just ran was slow (then the next one probably is too, and the caller
// should not wait for both).
const (
	flushAfterResults = 64
	flushAfterWait    = 2 * time.Millisecond
	flushAfterSlow    = 500 * time.Microsecond
)

// poolServer is a worker's side of the pool channel.
type poolServer struct {
	host  Host
	in    *bufio.Reader
	out   *bufio.Writer
	funcs map[uint32]servedFunc

	unflushed int       // result frames in out
	oldest    time.Time // when the first of them was written
	lastRun   time.Duration
}

// servedFunc is a function of the pool's calls, found once.
type servedFunc struct {
	call func([]reflect.Value) ([]reflect.Value, error)
	err  error // it could not be found: its tasks fail with this
}

// runPoolWorker serves tasks until the pool closes the channel, returning
// the worker's exit code: 0, or n if a task called os.Exit(n).
func runPoolWorker(host Host, o *poolStart) int {
	conn := os.NewFile(poolFD, "mp-pool")
	defer conn.Close()
	s := &poolServer{
		host:  host,
		in:    bufio.NewReaderSize(conn, 64<<10),
		out:   bufio.NewWriterSize(conn, 64<<10),
		funcs: map[uint32]servedFunc{},
	}
	defer s.out.Flush()
	if o.Init != "" {
		if f, failed := s.initialize(o); failed {
			s.out.Write(appendFrame(nil, poolOpInit, 0, appendFailure(nil, f)))
			return 1
		}
	}
	for tasks := 0; o.MaxTasks == 0 || tasks < o.MaxTasks; {
		if s.unflushed > 0 && s.shouldFlush() {
			s.flush()
		}
		f, err := readFrame(s.in)
		if errors.Is(err, io.EOF) {
			return 0 // the pool was closed
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "mp: pool worker %s: reading tasks: %v\n", CurrentProcess().Name, err)
			return 1
		}
		switch f.op {
		case poolOpFunc:
			s.define(f)
		case poolOpTask:
			tasks++
			if exit := s.run(f); exit != nil {
				return exit.Code
			}
		}
	}
	return 0
}

// shouldFlush decides whether results wait for more: they go now if the
// next task has not fully arrived (reading it could block), if many or old
// ones wait, or if the last task was slow.
func (s *poolServer) shouldFlush() bool {
	if s.unflushed >= flushAfterResults || s.lastRun >= flushAfterSlow || time.Since(s.oldest) >= flushAfterWait {
		return true
	}
	if s.in.Buffered() < 4 {
		return true
	}
	head, err := s.in.Peek(4) // buffered: does not block
	if err != nil {
		return true
	}
	return s.in.Buffered() < 4+int(binary.BigEndian.Uint32(head))
}

func (s *poolServer) flush() {
	s.out.Flush() // an error means the pool is gone; reading says so next
	s.unflushed = 0
}

// define finds a function the parent numbered.
func (s *poolServer) define(f frame) {
	name, recv, err := parseFunc(f.payload)
	if err != nil {
		s.funcs[f.id] = servedFunc{err: err}
		return
	}
	call, err := s.prepare(name, recv)
	if err != nil {
		err = fmt.Errorf("%w (the workers have the notebook as it was when the pool was made: for a function declared since, make a new Pool)", err)
	}
	s.funcs[f.id] = servedFunc{call: call, err: err}
}

func (s *poolServer) prepare(name string, recv []byte) (func([]reflect.Value) ([]reflect.Value, error), error) {
	t := Target{Func: name}
	if len(recv) > 0 {
		vs, err := decodeValues(s.host, recv)
		if err != nil || len(vs) != 1 {
			return nil, fmt.Errorf("copying the receiver of %s: %v", name, err)
		}
		t.Recv = vs[0]
	}
	return s.host.Prepare(t)
}

// initialize runs the pool's initializer.
func (s *poolServer) initialize(o *poolStart) (taskFailure, bool) {
	call, err := s.prepare(o.Init, o.InitRecv)
	if err != nil {
		return taskFailure{Kind: failSetup, Message: err.Error()}, true
	}
	args, err := decodeValues(s.host, o.InitArgs)
	if err != nil {
		return taskFailure{Kind: failSetup, Message: "copying the initializer's arguments: " + err.Error()}, true
	}
	if _, err := call(args); err != nil {
		return failureOf(0, err), true
	}
	return taskFailure{}, false
}

// run runs one chunk and writes its results; it returns the os.Exit a
// task called, if one did.
func (s *poolServer) run(f frame) (exit *ExitRequest) {
	start := time.Now()
	var r chunkResult
	t, err := parseTask(f.payload)
	if err == nil {
		exit = s.runChunk(t, &r)
	} else {
		r.failures = []taskFailure{{Kind: failSetup, Message: err.Error()}}
	}
	s.lastRun = time.Since(start)
	// The worker times its chunks itself: the parent sees results only
	// when a batch of them is flushed, and tasks sent ahead wait in the
	// socket. Both processes read the same wall clock.
	r.ran, r.began = s.lastRun, start.UnixNano()
	if s.unflushed == 0 {
		s.oldest = time.Now()
	}
	payload := appendResultPayload(nil, r)
	if len(payload) > maxPayload {
		// The parent could not read it: every item fails, saying why.
		hint := ""
		if t.count > 1 {
			hint = ", or use a smaller mp.Chunksize"
		}
		msg := fmt.Sprintf("its results are too large to send back: %s in one message, and a message holds at most %s; return less%s",
			sizeOf(len(payload)), sizeOf(maxPayload), hint)
		r.failures, r.form, r.results = nil, resultsNone, nil
		for i := range max(t.count, 1) {
			r.failures = append(r.failures, taskFailure{Index: i, Kind: failSetup, Message: msg})
		}
		payload = appendResultPayload(nil, r)
	}
	s.out.Write(appendFrame(nil, poolOpResult, f.id, payload))
	s.unflushed++
	if exit != nil {
		s.flush()
	}
	return exit
}

// runChunk calls the function for each item of the chunk.
func (s *poolServer) runChunk(t taskOrder, r *chunkResult) (exit *ExitRequest) {
	failAll := func(msg string) {
		r.failures = r.failures[:0]
		for i := range t.count {
			r.failures = append(r.failures, taskFailure{Index: i, Kind: failSetup, Message: msg})
		}
	}
	fn, ok := s.funcs[t.fn]
	switch {
	case !ok:
		failAll("the worker was sent a task of an unknown function")
		return nil
	case fn.err != nil:
		failAll(fn.err.Error())
		return nil
	}
	args, err := decodeValues(s.host, t.args)
	if err != nil {
		failAll("copying the arguments to the worker: " + err.Error())
		return nil
	}
	itemArgs, err := argsOfItems(t, args)
	if err != nil {
		failAll(err.Error())
		return nil
	}
	var results reflect.Value // a slice, made at the first result
	for i := range t.count {
		if exit != nil {
			r.failures = append(r.failures, taskFailure{Index: i, Kind: failExit, Message: fmt.Sprintf("an earlier task of its chunk called os.Exit(%d), which ended the worker", exit.Code)})
			continue
		}
		outs, err := fn.call(itemArgs(i))
		if err == nil {
			var v reflect.Value
			if v, err = resultOf(outs); err == nil && v.IsValid() {
				if !results.IsValid() {
					results = reflect.MakeSlice(reflect.SliceOf(v.Type()), t.count, t.count)
				}
				results.Index(i).Set(v)
			}
		}
		if err != nil {
			if e, ok := err.(*ExitRequest); ok {
				exit = e
			}
			r.failures = append(r.failures, failureOf(i, err))
		}
	}
	if !results.IsValid() {
		return exit
	}
	data, err := encodeStrict(s.host, []reflect.Value{results})
	if err != nil {
		failed := map[int]bool{}
		for _, f := range r.failures {
			failed[f.Index] = true
		}
		for i := range t.count {
			if !failed[i] {
				r.failures = append(r.failures, taskFailure{Index: i, Kind: failSetup, Message: "its result cannot be copied back: " + err.Error()})
			}
		}
		return exit
	}
	r.form, r.results = resultsSlice, data
	return exit
}

// argsOfItems gives the arguments of each item of a chunk.
func argsOfItems(t taskOrder, args []reflect.Value) (func(int) []reflect.Value, error) {
	if t.form == formArgs {
		if t.count != 1 {
			return nil, errors.New("a call's chunk holds one item")
		}
		return func(int) []reflect.Value { return args }, nil
	}
	if len(args) != 1 || !args[0].IsValid() || args[0].Kind() != reflect.Slice || args[0].Len() != t.count {
		return nil, errors.New("the worker was sent a broken chunk")
	}
	items := args[0]
	if t.form == formMap {
		return func(i int) []reflect.Value { return []reflect.Value{items.Index(i)} }, nil
	}
	return func(i int) []reflect.Value {
		item := items.Index(i)
		for item.Kind() == reflect.Interface && !item.IsNil() {
			item = item.Elem()
		}
		if item.Kind() != reflect.Slice && item.Kind() != reflect.Array {
			return []reflect.Value{item} // the call then says what is wrong
		}
		in := make([]reflect.Value, item.Len())
		for k := range in {
			in[k] = item.Index(k)
		}
		return in
	}, nil
}

var errorType = reflect.TypeFor[error]()

// resultOf is a task's result from its function's results: none (an
// invalid Value), the one, the first of a (value, error) pair whose error
// is nil, or all of them as a []any.
func resultOf(outs []reflect.Value) (reflect.Value, error) {
	switch {
	case len(outs) == 0:
		return reflect.Value{}, nil
	case len(outs) == 1:
		return outs[0], nil
	case len(outs) == 2 && outs[1].Type() == errorType:
		if !outs[1].IsNil() {
			return reflect.Value{}, outs[1].Interface().(error)
		}
		return outs[0], nil
	}
	all := make([]any, len(outs))
	for i, o := range outs {
		all[i] = o.Interface()
	}
	return reflect.ValueOf(all), nil
}

// failureOf describes an item's error.
func failureOf(i int, err error) taskFailure {
	switch e := err.(type) {
	case *TargetPanic:
		return taskFailure{Index: i, Kind: failPanic, Message: stringOf(e.Value), Traceback: e.Traceback}
	case *ExitRequest:
		return taskFailure{Index: i, Kind: failExit, Message: fmt.Sprintf("the task called os.Exit(%d), which ended the worker", e.Code)}
	}
	return taskFailure{Index: i, Kind: failError, Message: err.Error()}
}
