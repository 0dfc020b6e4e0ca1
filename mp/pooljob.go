package mp

import (
	"fmt"
	"reflect"
	"sync"
	"syscall"
	"time"

	"gomp/display"
)

// poolJob is one call on a Pool (a Map, an Apply...): its items, split in
// chunks, and their results as they arrive.
type poolJob struct {
	pool  *Pool
	fname string       // the function, for messages
	n     int          // items
	elem  reflect.Type // a result's type: the function's (first) result, any when it has none

	mu        sync.Mutex
	values    reflect.Value // []elem, one per item
	errs      []error       // nil until an item fails; then one per item
	arrived   []bool        // which items have a result (or failed)
	order     []int         // items in the order they arrived
	remaining int
	finished  bool          // every item has a result or failed, or the call was cancelled
	done      chan struct{} // closed when finished
	changed   chan struct{} // closed and replaced when items arrive
	progress  *display.Progress
}

// chunk is a run of a job's items sent to a worker as one task.
type chunk struct {
	job          *poolJob
	id           uint32
	fn           uint32 // the function's number
	start, count int    // the items
	payload      []byte // the poolOpTask payload
}

func newPoolJob(p *Pool, fname string, elem reflect.Type, n int) *poolJob {
	j := &poolJob{
		pool:      p,
		fname:     fname,
		n:         n,
		elem:      elem,
		values:    reflect.MakeSlice(reflect.SliceOf(elem), n, n),
		arrived:   make([]bool, n),
		remaining: n,
		done:      make(chan struct{}),
		changed:   make(chan struct{}),
	}
	if n == 0 {
		j.finished = true
		close(j.done)
	}
	return j
}

func (j *poolJob) isFinished() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.finished
}

// deliver takes a chunk's results from the worker that ran it.
func (j *poolJob) deliver(ch *chunk, res chunkResult, w *poolWorker) {
	var results reflect.Value
	var copyErr error
	if res.form == resultsSlice {
		vs, err := decodeValues(j.pool.h, res.results)
		switch {
		case err != nil:
			copyErr = err
		case len(vs) != 1 || !vs[0].IsValid() || vs[0].Kind() != reflect.Slice || vs[0].Len() != ch.count:
			copyErr = fmt.Errorf("the worker sent %d values for %d items", len(vs), ch.count)
		default:
			results = vs[0]
		}
	}
	failed := map[int]*TaskError{}
	for _, f := range res.failures {
		if f.Index >= 0 && f.Index < ch.count {
			failed[f.Index] = w.failure(ch, f)
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.finished {
		return
	}
	if results.IsValid() && len(failed) == 0 && results.Type() == j.values.Type() {
		reflect.Copy(j.values.Slice(ch.start, ch.start+ch.count), results)
	} else {
		for i := range ch.count {
			if failed[i] != nil {
				continue
			}
			switch {
			case copyErr != nil:
				failed[i] = &TaskError{Func: j.fname, Worker: w.proc.Name, Pid: w.c.pid, Message: "its result could not be copied back: " + copyErr.Error()}
			case results.IsValid():
				if v, ok := fitResult(results.Index(i), j.elem); ok {
					j.values.Index(ch.start + i).Set(v)
				} else {
					failed[i] = &TaskError{Func: j.fname, Worker: w.proc.Name, Pid: w.c.pid,
						Message: fmt.Sprintf("its result, a %s, is not a %s", results.Index(i).Type(), j.elem)}
				}
			}
		}
	}
	for i, e := range failed {
		j.setErrLocked(ch.start+i, e)
	}
	j.arriveLocked(ch.start, ch.count)
}

// fitResult makes a decoded result a value of the result type.
func fitResult(v reflect.Value, t reflect.Type) (reflect.Value, bool) {
	for v.Kind() == reflect.Interface && !v.IsNil() && t.Kind() != reflect.Interface {
		v = v.Elem()
	}
	switch {
	case !v.IsValid():
		return reflect.Zero(t), true
	case v.Type().AssignableTo(t):
		return v, true
	case v.Type().ConvertibleTo(t) && v.Kind() != reflect.String && t.Kind() != reflect.String:
		return v.Convert(t), true
	}
	return reflect.Value{}, false
}

// failure makes a worker's report of a failed item a TaskError.
func (w *poolWorker) failure(ch *chunk, f taskFailure) *TaskError {
	e := &TaskError{Func: ch.job.fname, Worker: w.proc.Name, Pid: w.c.pid, Message: f.Message, Traceback: f.Traceback}
	switch f.Kind {
	case failPanic:
		e.Message = "panic: " + f.Message
	case failExit:
		e.Err = ErrWorkerDied
	}
	return e
}

// failChunk fails every item of a chunk with err.
func (j *poolJob) failChunk(ch *chunk, err *TaskError) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.finished {
		return
	}
	for i := range ch.count {
		j.setErrLocked(ch.start+i, err)
	}
	j.arriveLocked(ch.start, ch.count)
}

func (j *poolJob) setErrLocked(i int, err error) {
	if j.errs == nil {
		j.errs = make([]error, j.n)
	}
	j.errs[i] = err
}

// arriveLocked records items as arrived and wakes who waits for them.
func (j *poolJob) arriveLocked(start, count int) {
	for i := start; i < start+count; i++ {
		if !j.arrived[i] {
			j.arrived[i] = true
			j.order = append(j.order, i)
			j.remaining--
		}
	}
	if j.progress != nil {
		j.progress.Set(j.n - j.remaining)
	}
	close(j.changed)
	j.changed = make(chan struct{})
	if j.remaining == 0 {
		j.finished = true
		close(j.done)
	}
}

// cancel abandons a call whose caller was interrupted: its queued chunks
// are dropped, the workers running its chunks are restarted, and its
// items that had not arrived fail with ErrInterrupted.
func (j *poolJob) cancel() {
	p := j.pool
	p.mu.Lock()
	kept := p.queue[:0]
	for _, ch := range p.queue {
		if ch.job != j {
			kept = append(kept, ch)
		}
	}
	clear(p.queue[len(kept):])
	p.queue = kept
	var stop []*poolWorker
	for _, w := range p.workers {
		if len(w.outstanding) > 0 && w.outstanding[0].job == j {
			w.stopReason = "was stopped because the call it was running a task of was interrupted"
			stop = append(stop, w)
		}
	}
	p.changed.Broadcast()
	p.mu.Unlock()
	for _, w := range stop {
		w.c.signal(syscall.SIGTERM)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.finished {
		return
	}
	e := &TaskError{Func: j.fname, Message: "interrupted before the task finished", Err: ErrInterrupted}
	for i, ok := range j.arrived {
		if !ok {
			j.setErrLocked(i, e)
		}
	}
	// The bar stays where the work stopped: the items failed, not done.
	progress := j.progress
	j.progress = nil
	j.arriveLocked(0, j.n)
	if progress != nil {
		progress.Done()
	}
}

// wait waits until the job has finished, the timeout (if any) passed, or
// the cell was interrupted: then the job is cancelled and wait panics.
func (j *poolJob) wait(op string, timeout []time.Duration) bool {
	if len(timeout) > 1 {
		misuse(op, "give at most one timeout, as r.Get(2 * time.Second)")
	}
	var expired <-chan time.Time
	if len(timeout) == 1 {
		t := time.NewTimer(max(timeout[0], 0))
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-j.done:
		return true
	default:
	}
	select {
	case <-j.done:
		return true
	case <-expired:
		return false
	case <-cellContext().Done():
		j.cancel()
		panic(fmt.Errorf("mp: %s: interrupted while waiting for %s's results (the work is stopped): %w", op, j.fname, ErrInterrupted))
	}
}

// firstErr is the error of the first failed item, in item order.
func (j *poolJob) firstErr() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range j.errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// result is the job's results, a []elem; it panics with the first
// failure.
func (j *poolJob) result() any {
	if err := j.firstErr(); err != nil {
		panic(err)
	}
	return j.values.Interface()
}
