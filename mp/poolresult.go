package mp

import (
	"fmt"
	"time"
)

// AsyncResult is the result of ApplyAsync, MapAsync or StarmapAsync, as
// Python's AsyncResult.
//
//	r := pool.ApplyAsync(square, 7)
//	...
//	fmt.Println(r.Get()) // 49
type AsyncResult struct {
	job    *poolJob
	single bool // Apply's: Get gives the one result, not a slice
}

// Get waits for the result and returns it: Apply's function's result, or
// Map's slice of results. A failed task makes it panic with the task's
// *TaskError (the first, for a map). With a timeout, it panics with
// ErrTimeout if the result is not ready by then; Wait and Ready check
// without panicking. Interrupting the cell stops the wait and the work.
func (r *AsyncResult) Get(timeout ...time.Duration) any {
	return r.get("AsyncResult.Get", timeout...)
}

func (r *AsyncResult) get(op string, timeout ...time.Duration) any {
	if !r.job.wait(op, timeout) {
		panic(fmt.Errorf("mp: %s: %w", op, ErrTimeout))
	}
	v := r.job.result()
	if r.single {
		return r.job.values.Index(0).Interface()
	}
	return v
}

// Wait waits until the result is ready, or at most the timeout.
func (r *AsyncResult) Wait(timeout ...time.Duration) {
	r.job.wait("AsyncResult.Wait", timeout)
}

// Ready reports whether the result has arrived (or the call failed).
func (r *AsyncResult) Ready() bool { return r.job.isFinished() }

// Successful reports whether the call completed without a failure. As in
// Python, asking before the result is ready is an error: it panics.
func (r *AsyncResult) Successful() bool {
	if !r.Ready() {
		misuse("AsyncResult.Successful", "the result is not ready yet: Wait for it, or check Ready first")
	}
	return r.job.firstErr() == nil
}

// Err waits for the result and returns the failure of its task (the first
// in item order, for a map) as a *TaskError, or nil: Get without the panic.
func (r *AsyncResult) Err() error {
	r.job.wait("AsyncResult.Err", nil)
	return r.job.firstErr()
}

// Iterator gives the results of Imap and ImapUnordered as they arrive:
//
//	for it := pool.Imap(f, items); it.Next(); {
//		v := it.Value()
//	}
//
// or, ranging over a channel, for v := range it.Chan(). Use one form or
// the other on an Iterator, from one goroutine.
type Iterator struct {
	job     *poolJob
	ordered bool
	next    int // results handed out so far
	at      int // the current item; -1 before the first Next
}

// Next waits for the next result and reports whether there is one: false
// once every result was handed out. Interrupting the cell stops the wait
// and the work.
func (it *Iterator) Next() bool {
	j := it.job
	if it.next >= j.n {
		return false
	}
	for {
		j.mu.Lock()
		changed := j.changed
		ready := false
		if it.ordered {
			ready = j.arrived[it.next]
			if ready {
				it.at = it.next
			}
		} else if it.next < len(j.order) {
			ready = true
			it.at = j.order[it.next]
		}
		j.mu.Unlock()
		if ready {
			it.next++
			return true
		}
		select {
		case <-changed:
		case <-cellContext().Done():
			j.cancel()
			panic(errInterruptedIter(j))
		}
	}
}

func errInterruptedIter(j *poolJob) error {
	return &TaskError{Func: j.fname, Message: "interrupted while waiting for results (the work is stopped)", Err: ErrInterrupted}
}

// Value is the current result (after Next returned true). If its task
// failed, Value panics with its *TaskError, as Python's next() raises it.
func (it *Iterator) Value() any {
	if err := it.Err(); err != nil {
		panic(err)
	}
	it.job.mu.Lock()
	defer it.job.mu.Unlock()
	return it.job.values.Index(it.at).Interface()
}

// Err is the current result's *TaskError, or nil if its task succeeded.
func (it *Iterator) Err() error {
	if it.at < 0 {
		misuse("Iterator.Value", "call Next first")
	}
	j := it.job
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.errs == nil || j.errs[it.at] == nil {
		return nil
	}
	return j.errs[it.at]
}

// Index is the position in the items of the current result (for
// ImapUnordered, whose results come in the order they are ready).
func (it *Iterator) Index() int { return it.at }

// Chan gives the remaining results on a channel that is closed after the
// last, for a range loop:
//
//	for v := range pool.Imap(f, items).Chan() { ... }
//
// A failed task's result is its *TaskError. The channel is buffered for
// every result, so a loop that stops early leaves nothing blocked.
func (it *Iterator) Chan() <-chan any {
	j := it.job
	ch := make(chan any, j.n-it.next)
	go it.feed(ch, cellContext().Done())
	return ch
}

// feed sends the results to Chan's channel as they arrive; it ends after
// the last, or when the cell is interrupted (which cancels the work).
func (it *Iterator) feed(ch chan<- any, interrupted <-chan struct{}) {
	defer close(ch)
	j := it.job
	for it.next < j.n {
		j.mu.Lock()
		changed := j.changed
		for it.next < j.n {
			i := it.next
			if it.ordered && !j.arrived[i] || !it.ordered && i >= len(j.order) {
				break
			}
			if !it.ordered {
				i = j.order[i]
			}
			it.at, it.next = i, it.next+1
			if j.errs != nil && j.errs[i] != nil {
				ch <- j.errs[i]
			} else {
				ch <- j.values.Index(i).Interface()
			}
		}
		j.mu.Unlock()
		if it.next >= j.n {
			return
		}
		select {
		case <-changed:
		case <-interrupted:
			j.cancel()
			return
		}
	}
}
