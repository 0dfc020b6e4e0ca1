package mp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	_ sync.Locker = (*Lock)(nil)
	_ sync.Locker = (*RLock)(nil)
	_ sync.Locker = (*Semaphore)(nil)
	_ sync.Locker = (*BoundedSemaphore)(nil)
	_ sync.Locker = (*Condition)(nil)
)

// holdLockAndSleep takes the lock, says so, and sleeps until killed.
func holdLockAndSleep(l *Lock, holding *Event) {
	l.Acquire()
	holding.Set()
	time.Sleep(time.Hour)
}

// holdRLockTwice takes the RLock twice, says so, waits for go, and releases
// it twice.
func holdRLockTwice(l *RLock, holding, goOn *Event) {
	l.Acquire()
	l.Acquire()
	fmt.Println("child holds", l)
	holding.Set()
	goOn.Wait()
	l.Release()
	l.Release()
}

// takeLock acquires and releases the lock, and says it did.
func takeLock(l *Lock) {
	l.Lock()
	fmt.Println("child took the lock")
	l.Unlock()
}

func TestLockBasics(t *testing.T) {
	inCell(t)
	l := NewLock()
	if got := l.String(); got != "<Lock(owner=None)>" {
		t.Errorf("free lock prints %q", got)
	}
	if !l.Acquire() {
		t.Fatal("Acquire of a free lock failed")
	}
	if got := l.String(); got != "<Lock(owner=MainProcess)>" {
		t.Errorf("held lock prints %q", got)
	}
	if l.TryAcquire() || l.Acquire(time.Millisecond) || l.Acquire(0) {
		t.Error("a held Lock was acquired again (a Lock is not reentrant)")
	}
	l.Release()
	if msg := mustPanic(t, l.Release); !strings.Contains(msg, "not locked") {
		t.Errorf("Release of an unlocked Lock: %q", msg)
	}
	mustPanic(t, func() { l.Acquire(time.Second, time.Second) })
}

// A Lock is one lock in all processes: the child waits until the parent
// releases it.
func TestLockIsSharedWithAChild(t *testing.T) {
	rec, _ := inCell(t)
	l := NewLock()
	l.Lock()
	p := NewProcess(takeLock, l)
	p.Start()
	if strings.Contains(rec.text("stdout"), "took") {
		t.Fatal("the child took a lock the parent holds")
	}
	l.Unlock()
	p.Join()
	if got := rec.text("stdout"); got != "child took the lock\n" {
		t.Errorf("child printed %q", got)
	}
}

// A child killed while it holds a Lock does not deadlock the notebook: the
// next Acquire takes the lock over, with a warning in the cell's stderr.
func TestLockOfAKilledHolderIsTakenOver(t *testing.T) {
	rec, _ := inCell(t)
	l, holding := NewLock(), NewEvent()
	p := NewProcess(holdLockAndSleep, l, holding)
	p.Start()
	holding.Wait()
	if got, want := l.String(), "<Lock(owner=pid "+strconv.Itoa(p.Pid())+")>"; got != want {
		t.Errorf("lock held by the child prints %q, want %q", got, want)
	}
	if l.TryAcquire() {
		t.Fatal("TryAcquire took a lock a live child holds")
	}
	p.Kill()
	p.Join()
	if !l.Acquire() {
		t.Fatal("Acquire failed")
	}
	want := fmt.Sprintf("mp: Lock: process %d died holding this lock; it was released (what it protected may be half-updated)\n", p.Pid())
	if got := rec.text("stderr"); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	l.Release()
}

// An interrupt stops an Acquire that waits; a deferred Release after it
// does not panic again.
func TestLockAcquireStopsOnInterrupt(t *testing.T) {
	_, interrupt := inCell(t)
	l := NewLock()
	l.Lock()
	done := make(chan any)
	go func() {
		defer func() { done <- recover() }()
		defer l.Unlock() // runs after the interrupt: no second panic
		l.Lock()
	}()
	interrupt()
	r := <-done
	if err, ok := r.(error); !ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Acquire panicked with %v, want context.Canceled", r)
	}
}

func TestRLockIsReentrantAndOwned(t *testing.T) {
	inCell(t)
	l := NewRLock()
	if got := l.String(); got != "<RLock(None, 0)>" {
		t.Errorf("free RLock prints %q", got)
	}
	l.Acquire()
	if !l.TryAcquire() || !l.Acquire(time.Millisecond) {
		t.Fatal("the holding goroutine could not acquire its RLock again")
	}
	if got := l.String(); got != "<RLock(MainProcess, 3)>" {
		t.Errorf("RLock held 3 times prints %q", got)
	}
	other := make(chan string)
	go func() {
		defer func() { other <- fmt.Sprint(recover()) }()
		if l.TryAcquire() || l.Acquire(time.Millisecond) {
			other <- "another goroutine acquired a held RLock"
			return
		}
		if s := l.String(); !strings.HasPrefix(s, "<RLock(MainProcess|goroutine ") {
			other <- "seen from another goroutine: " + s
			return
		}
		l.Release()
	}()
	if msg := <-other; !strings.Contains(msg, "un-acquired") {
		t.Errorf("Release by a goroutine that does not hold it: %q", msg)
	}
	l.Release()
	l.Release()
	l.Release()
	if got := l.String(); got != "<RLock(None, 0)>" {
		t.Errorf("released RLock prints %q", got)
	}
	mustPanic(t, l.Release)
}

func TestRLockHeldByAChild(t *testing.T) {
	rec, _ := inCell(t)
	l, holding, goOn := NewRLock(), NewEvent(), NewEvent()
	p := NewProcess(holdRLockTwice, l, holding, goOn)
	p.Start()
	holding.Wait()
	if l.TryAcquire() {
		t.Fatal("took an RLock a child holds")
	}
	if got, want := l.String(), fmt.Sprintf("<RLock(pid %d, 2)>", p.Pid()); got != want {
		t.Errorf("RLock held by the child prints %q, want %q", got, want)
	}
	goOn.Set()
	if !l.Acquire() {
		t.Fatal("Acquire failed")
	}
	l.Release()
	p.Join()
	if got := rec.text("stdout"); !strings.HasPrefix(got, "child holds <RLock(Process-") {
		t.Errorf("child printed %q", got)
	}
}

// BenchmarkLockAcquireRelease is an uncontended Acquire and Release, the
// cost of a critical section's entry and exit.
func BenchmarkLockAcquireRelease(b *testing.B) {
	l := NewLock()
	for b.Loop() {
		l.Acquire()
		l.Release()
	}
}

// BenchmarkValueIncrementWithLock is v.GetLock().Lock(); v.Set(v.Get()+1);
// Unlock: Python's "with v.get_lock(): v.value += 1".
func BenchmarkValueIncrementWithLock(b *testing.B) {
	v := NewValue(0)
	for b.Loop() {
		v.GetLock().Lock()
		v.Set(v.Get().(int) + 1)
		v.GetLock().Unlock()
	}
}

func BenchmarkRLockAcquireRelease(b *testing.B) {
	l := NewRLock()
	for b.Loop() {
		l.Acquire()
		l.Release()
	}
}

// lockLoop and valueLoop are the children of the cross-process benchmarks:
// they say they are ready, wait for the start, and loop.
func lockLoop(l *Lock, n int, ready *Semaphore, start *Event) {
	ready.Release()
	start.Wait()
	for range n {
		l.Acquire()
		l.Release()
	}
}

func valueLoop(v *Value, n int, ready *Semaphore, start *Event) {
	ready.Release()
	start.Wait()
	for range n {
		v.GetLock().Lock()
		v.Set(v.Get().(int) + 1)
		v.GetLock().Unlock()
	}
}

// benchmarkTwoProcesses times b.N operations of target, split between two
// children that run at once, from the start signal to their end; the
// children are compiled Go (the test binary), not interpreted cells.
func benchmarkTwoProcesses(b *testing.B, target any, shared any) {
	ready, start := NewSemaphore(0), NewEvent()
	half := max(b.N/2, 1)
	ps := []*Process{NewProcess(target, shared, half, ready, start), NewProcess(target, shared, half, ready, start)}
	for _, p := range ps {
		p.Start()
	}
	ready.Acquire()
	ready.Acquire()
	b.ResetTimer()
	start.Set()
	for _, p := range ps {
		p.Join()
	}
	b.StopTimer()
	b.ReportMetric(float64(2*half)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkLockTwoProcesses(b *testing.B) { benchmarkTwoProcesses(b, lockLoop, NewLock()) }

func BenchmarkValueIncrementTwoProcesses(b *testing.B) {
	v := NewValue(0)
	benchmarkTwoProcesses(b, valueLoop, v)
	if got := v.Get().(int); got != 2*max(b.N/2, 1) {
		b.Fatalf("Value = %d after %d increments", got, 2*max(b.N/2, 1))
	}
}
