package mp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// semaphoreWorker enters the semaphore's section n times, counting who is
// inside, and records the most it saw at once.
func semaphoreWorker(s *Semaphore, inside, most *Value, n int) {
	for range n {
		s.Acquire()
		now := inside.Add(1).(int)
		most.GetLock().Lock()
		if now > most.Get().(int) {
			most.Set(now)
		}
		most.GetLock().Unlock()
		inside.Add(-1)
		s.Release()
	}
}

func releaseSemaphore(s *Semaphore) { s.Release() }

func overReleaseBounded(s *BoundedSemaphore) { s.Release() }

// waitEventThenSet waits for in, then sets out.
func waitEventThenSet(in, out *Event) {
	in.Wait()
	out.Set()
}

// waitCondition waits under c until n holds a nonzero number, and prints it.
func waitCondition(c *Condition, n *Value, waiting *Semaphore) {
	c.Lock()
	waiting.Release()
	ok := c.WaitFor(func() bool { return n.Get().(int) != 0 })
	fmt.Printf("woke with %v %v\n", ok, n.Get())
	c.Unlock()
}

func barrierParty(b *Barrier) {
	i, err := b.Wait()
	fmt.Printf("index %d err %v\n", i, err)
}

// barrierAction records that it ran, in the file named by greeting.
func barrierAction() {
	f, err := os.OpenFile(greeting, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		panic(err)
	}
	f.WriteString("ran\n")
	f.Close()
}

func barrierWaitAndPrint(b *Barrier) {
	_, err := b.Wait()
	fmt.Printf("broken %v: %v\n", errors.Is(err, ErrBrokenBarrier), err)
}

// mustStopOnInterrupt runs wait in a goroutine, interrupts the cell, and
// checks that wait ended with the interrupt's panic or error.
func mustStopOnInterrupt(t *testing.T, interrupt func(), wait func() error) {
	t.Helper()
	done := make(chan any)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- r
			}
		}()
		done <- wait()
	}()
	interrupt()
	r := <-done
	if err, ok := r.(error); !ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted wait ended with %v, want context.Canceled", r)
	}
}

func TestSemaphoreLimitsProcessesInside(t *testing.T) {
	inCell(t)
	s, inside, most := NewSemaphore(2), NewValue(0), NewValue(0)
	var ps []*Process
	for range 4 {
		p := NewProcess(semaphoreWorker, s, inside, most, 300)
		p.Start()
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.Join()
		if p.ExitCode() != 0 {
			t.Fatalf("%s exited with %v", p.Name, p.ExitCode())
		}
	}
	if got := most.Get().(int); got < 1 || got > 2 {
		t.Errorf("%d processes were inside a semaphore of 2 at once", got)
	}
	if s.Value() != 2 || s.String() != "<Semaphore(value=2)>" {
		t.Errorf("after the workers: %v", s)
	}
}

func TestSemaphoreTimeoutAndReleaseFromAChild(t *testing.T) {
	_, interrupt := inCell(t)
	s := NewSemaphore(0)
	if s.TryAcquire() || s.Acquire(time.Millisecond) || s.Acquire(0) {
		t.Fatal("acquired a semaphore of value 0")
	}
	p := NewProcess(releaseSemaphore, s)
	p.Start()
	if !s.Acquire() {
		t.Fatal("Acquire failed")
	}
	p.Join()
	mustStopOnInterrupt(t, interrupt, func() error { s.Acquire(); return nil })
}

func TestBoundedSemaphoreOverRelease(t *testing.T) {
	rec, _ := inCell(t)
	s := NewBoundedSemaphore(2)
	s.Acquire()
	s.Release()
	msg := mustPanic(t, s.Release)
	if !strings.Contains(msg, "released more times than acquired") {
		t.Errorf("over-release: %q", msg)
	}
	if got := s.String(); got != "<BoundedSemaphore(value=2, maxvalue=2)>" {
		t.Errorf("prints %q", got)
	}
	p := joined(t, NewProcess(overReleaseBounded, s))
	if p.ExitCode() != 1 || !strings.Contains(rec.text("stderr"), "released more times than acquired") {
		t.Errorf("a child's over-release: exit %v, stderr %q", p.ExitCode(), rec.text("stderr"))
	}
	mustPanic(t, func() { NewBoundedSemaphore(0) })
	mustPanic(t, func() { NewSemaphore(-1) })
}

func TestEventAcrossProcesses(t *testing.T) {
	_, interrupt := inCell(t)
	in, out := NewEvent(), NewEvent()
	if in.IsSet() || in.Wait(time.Millisecond) || in.Wait(0) || in.String() != "<Event(unset)>" {
		t.Fatal("a new event is set")
	}
	p := NewProcess(waitEventThenSet, in, out)
	p.Start()
	in.Set()
	if !out.Wait() || !out.IsSet() || out.String() != "<Event(set)>" {
		t.Fatal("the child's Set did not reach the parent")
	}
	p.Join()
	out.Clear()
	if out.IsSet() {
		t.Fatal("Clear did not clear")
	}
	mustStopOnInterrupt(t, interrupt, func() error { out.Wait(); return nil })
}

func TestConditionNotifiesChildren(t *testing.T) {
	rec, _ := inCell(t)
	for _, lock := range []func() *Condition{
		func() *Condition { return NewCondition() },
		func() *Condition { return NewCondition(NewLock()) },
	} {
		c, n, waiting := lock(), NewValue(0), NewSemaphore(0)
		var ps []*Process
		for range 2 {
			p := NewProcess(waitCondition, c, n, waiting)
			p.Start()
			ps = append(ps, p)
		}
		waiting.Acquire()
		waiting.Acquire()
		c.Lock() // both children are in Wait: they released the lock
		n.Set(7)
		c.NotifyAll()
		c.Unlock()
		for _, p := range ps {
			p.Join()
		}
	}
	if got := rec.text("stdout"); got != strings.Repeat("woke with true 7\n", 4) {
		t.Errorf("children printed %q", got)
	}
}

func TestConditionMisuseTimeoutAndInterrupt(t *testing.T) {
	_, interrupt := inCell(t)
	c := NewCondition()
	if msg := mustPanic(t, func() { c.Wait() }); !strings.Contains(msg, "not held") {
		t.Errorf("Wait without the lock: %q", msg)
	}
	mustPanic(t, func() { c.Notify() })
	mustPanic(t, func() { NewCondition(&sync.Mutex{}) }) // lives in one process
	c.Lock()
	c.Lock() // an RLock: Wait releases both acquisitions
	if c.Wait(time.Millisecond) {
		t.Error("Wait with nobody to notify reported a notify")
	}
	if c.WaitFor(func() bool { return false }, time.Millisecond) {
		t.Error("WaitFor of a false predicate reported true")
	}
	if got := c.String(); got != "<Condition(<RLock(MainProcess, 2)>, 0)>" {
		t.Errorf("prints %q", got)
	}
	c.Notify(3) // nobody waits: nothing happens
	c.Unlock()
	c.Unlock()

	// The interrupted Wait takes the lock back before it panics: the
	// deferred Unlock is right.
	mustStopOnInterrupt(t, interrupt, func() error {
		c.Lock()
		defer c.Unlock()
		c.Wait()
		return nil
	})
	if got := c.String(); got != "<Condition(<RLock(None, 0)>, 0)>" {
		t.Errorf("after the interrupted Wait: %q", got)
	}
}

func TestBarrierReleasesAllPartiesOnce(t *testing.T) {
	rec, _ := inCell(t)
	runs := filepath.Join(t.TempDir(), "runs")
	old := greeting
	greeting = runs // the action's file, copied to the children as a global
	t.Cleanup(func() { greeting = old })
	b := NewBarrier(3, barrierAction)
	for round := range 2 {
		var ps []*Process
		for range 2 {
			p := NewProcess(barrierParty, b)
			p.Start()
			ps = append(ps, p)
		}
		i, err := b.Wait()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			p.Join()
		}
		lines := strings.Split(strings.TrimSpace(rec.text("stdout")), "\n")[2*round:]
		lines = append(lines, fmt.Sprintf("index %d err <nil>", i))
		sort.Strings(lines)
		if want := []string{"index 0 err <nil>", "index 1 err <nil>", "index 2 err <nil>"}; fmt.Sprint(lines) != fmt.Sprint(want) {
			t.Errorf("round %d: parties said %q", round, lines)
		}
	}
	data, err := os.ReadFile(runs)
	if err != nil || string(data) != "ran\nran\n" {
		t.Errorf("the action ran %q (%v), want once per round", data, err)
	}
	if b.Parties() != 3 || b.NWaiting() != 0 || b.Broken() || b.String() != "<Barrier(parties=3, waiting=0)>" {
		t.Errorf("after the rounds: %v", b)
	}
}

func TestBarrierAbortTimeoutResetAndInterrupt(t *testing.T) {
	rec, interrupt := inCell(t)
	b := NewBarrier(2)
	p := NewProcess(barrierWaitAndPrint, b)
	p.Start()
	waitUntil(t, func() bool { return b.NWaiting() == 1 })
	b.Abort()
	p.Join()
	if got := rec.text("stdout"); !strings.HasPrefix(got, "broken true") {
		t.Errorf("the aborted child printed %q", got)
	}
	if _, err := b.Wait(); !errors.Is(err, ErrBrokenBarrier) || !b.Broken() {
		t.Errorf("Wait on a broken barrier: %v", err)
	}
	if b.String() != "<Barrier(parties=2, broken)>" {
		t.Errorf("prints %q", b)
	}
	b.Reset()
	if b.Broken() {
		t.Fatal("Reset did not mend the barrier")
	}

	// A timeout breaks the barrier for every party.
	b = NewBarrier(3)
	p = NewProcess(barrierWaitAndPrint, b)
	p.Start()
	waitUntil(t, func() bool { return b.NWaiting() == 1 })
	if _, err := b.Wait(time.Millisecond); !errors.Is(err, ErrBrokenBarrier) || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("Wait that timed out: %v", err)
	}
	p.Join()
	if got := rec.text("stdout"); strings.Count(got, "broken true") != 2 || !b.Broken() {
		t.Errorf("after a timeout, the child printed %q", got)
	}

	// An interrupted party leaves; the barrier stays whole.
	b = NewBarrier(2)
	mustStopOnInterrupt(t, interrupt, func() error { _, err := b.Wait(); return err })
	waitUntil(t, func() bool { return b.NWaiting() == 0 })
	if b.Broken() {
		t.Error("an interrupt broke the barrier")
	}
}

// waitUntil polls cond (a guard against hanging, not a timing assertion).
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the condition never held")
		}
	}
}
