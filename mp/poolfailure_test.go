package mp

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A worker that sends a frame no worker sends must not leave its call
// waiting: the worker is stopped, its task fails saying why, and the pool
// goes on with a replacement.
func TestPoolBrokenFrameFromAWorkerFailsItsTask(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 1)
	r := p.ApplyAsync(junkFrame, 0)
	errc := make(chan error, 1)
	go func() {
		defer func() { recover() }() // the cell's end interrupts a hung wait
		errc <- r.Err()
	}()
	var err error
	select {
	case err = <-errc:
	case <-time.After(2 * time.Minute): // a hang, not a timing
		t.Fatal("the call still waits for a worker that sent a broken frame")
	}
	if !errors.Is(err, ErrWorkerDied) || !strings.Contains(err.Error(), "broken") {
		t.Errorf("Err = %v, want the worker's broken message", err)
	}
	if got := p.Apply(square, 3); got != 9 {
		t.Errorf("after the broken worker Apply = %v", got)
	}
}

// A call that passed checkRunning as another goroutine closed or
// terminated the pool must not be queued where no worker will take it.
func TestPoolCallRacingTerminateOrCloseDoesNotWait(t *testing.T) {
	inCell(t)
	for _, stop := range []func(*Pool){
		(*Pool).Terminate,
		func(p *Pool) { p.Close(); p.Join() },
	} {
		p := newTestPool(t, 1)
		stop(p)
		// What ApplyAsync does after its checkRunning.
		j := newPoolJob(p, "square", reflect.TypeFor[int](), 1)
		p.enqueue([]*chunk{{job: j, count: 1, payload: appendTaskPayload(nil, 0, 1, formArgs, nil)}})
		select {
		case <-j.done:
		default:
			t.Fatalf("a call queued on a pool in state %s waits for ever", p.state)
		}
		if err := j.firstErr(); err == nil || !strings.Contains(err.Error(), "not running") {
			t.Errorf("its error is %v", err)
		}
	}
}

// Results or arguments too large for one message fail with an error that
// says so and what to do, not as a worker that died or sent a broken
// message; and the pool goes on.
func TestPoolMessageTooLargeSaysSo(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 1)
	err := p.ApplyAsync(bigString, maxFrame+1).Err()
	if err == nil || !strings.Contains(err.Error(), "too large") || errors.Is(err, ErrWorkerDied) {
		t.Errorf("a result over %d bytes: Err = %v", maxFrame, err)
	}
	if got := p.Apply(square, 3); got != 9 {
		t.Errorf("after the large result Apply = %v", got)
	}
	big := strings.Repeat("y", maxFrame+1)
	msg := mustPanic(t, func() { p.Apply(lenOf, big) })
	if !strings.Contains(msg, "too large") {
		t.Errorf("an argument over %d bytes: %s", maxFrame, msg)
	}
	msg = mustPanic(t, func() { p.Map(lenOf, []string{"a", big}) })
	if !strings.Contains(msg, "item 1 of lenOf is too large") {
		t.Errorf("an item over %d bytes: %s", maxFrame, msg)
	}
	half := big[:maxFrame/2+1]
	msg = mustPanic(t, func() { p.Map(lenOf, []string{half, half}, Chunksize(2)) })
	if !strings.Contains(msg, "too large") || !strings.Contains(msg, "Chunksize") {
		t.Errorf("a chunk over %d bytes: %s", maxFrame, msg)
	}
	if got := p.Apply(square, 4); got != 16 {
		t.Errorf("after the large arguments Apply = %v", got)
	}
}

// An interrupted Map's progress bar stays where the work stopped: it must
// not show every item done.
func TestPoolInterruptedProgressIsNotFull(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 1)
	out := &displayRecorder{recorder: newRecorder()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	parentHost.setCell(CellInfo{ID: 2, Output: out, Context: ctx})
	go func() {
		out.waitFor(t, "stdout", "sleeping pid ")
		cancel()
	}()
	msg := mustPanic(t, func() { p.Map(sleepThenPid, []int{1, 2, 3}, Chunksize(1), ShowProgress()) })
	if !strings.Contains(msg, "interrupted") {
		t.Errorf("Map panicked with %s", msg)
	}
	d, ok := out.last()
	if !ok {
		t.Fatal("no progress bar was displayed")
	}
	if text, _ := d.Data["text/plain"].(string); strings.Contains(text, "3/3") {
		t.Errorf("after the interrupt the bar reads %q", text)
	}
}

// Terminate fails every task of a call, also those a worker was sent
// ahead and had not begun: none is left queued for workers that are gone.
func TestPoolTerminateFailsTasksSentAhead(t *testing.T) {
	rec, _ := inCell(t)
	p := newTestPool(t, 1)
	p.Map(square, make([]int, 100), Chunksize(1)) // quick chunks: the worker is sent several ahead
	r := p.MapAsync(sleepThenPid, []int{1, 2, 3}, Chunksize(1))
	rec.waitFor(t, "stdout", "sleeping pid ")
	p.mu.Lock()
	ahead := len(p.workers[0].outstanding)
	p.mu.Unlock()
	if ahead < 2 {
		t.Logf("the worker was sent %d chunk(s) ahead: this run does not test the case", ahead)
	}
	p.Terminate()
	errc := make(chan error, 1)
	go func() {
		defer func() { recover() }() // the cell's end interrupts a hung wait
		errc <- r.Err()
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrPoolTerminated) && !strings.Contains(fmt.Sprint(err), "Terminate") {
			t.Errorf("Err = %v", err)
		}
	case <-time.After(2 * time.Minute): // a hang, not a timing
		t.Fatal("a call whose tasks were sent ahead still waits after Terminate")
	}
}
