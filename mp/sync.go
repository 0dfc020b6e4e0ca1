package mp

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"gomp/mp/shm"
)

// Semaphores and events are words of shared memory that waiters sleep on
// with futexes. A semaphore has no owner (as in Python): one that a dead
// process had acquired stays acquired.

const (
	semaphoreKind        = "sync/Semaphore"
	boundedSemaphoreKind = "sync/BoundedSemaphore"
	eventKind            = "sync/Event"
)

func init() {
	for _, kind := range []string{semaphoreKind, boundedSemaphoreKind, eventKind} {
		freedKinds[kind] = func(id uint64) shm.Ref { return shm.Ref(id) }
	}
	registerSharedKind(semaphoreKind, func(r *shm.Region, ref shm.Ref) (any, error) {
		s, err := openSemaphore(r, ref)
		if err != nil {
			return nil, err
		}
		return trackSimple(r, semaphoreKind, ref, &Semaphore{s})
	})
	registerSharedKind(boundedSemaphoreKind, func(r *shm.Region, ref shm.Ref) (any, error) {
		s, err := openSemaphore(r, ref)
		if err != nil {
			return nil, err
		}
		return trackSimple(r, boundedSemaphoreKind, ref, &BoundedSemaphore{s})
	})
	registerSharedKind(eventKind, func(r *shm.Region, ref shm.Ref) (any, error) {
		e, err := openEvent(r, ref)
		if err != nil {
			return nil, err
		}
		return trackSimple(r, eventKind, ref, e)
	})
}

// semaphore is the shared part of Semaphore and BoundedSemaphore.
type semaphore struct {
	value   *uint32 // the futex word: sleepers wait while it is 0
	waiters *uint32 // goroutines about to sleep or asleep on value
	max     *uint32 // a BoundedSemaphore's initial value; 0: unbounded
	ref     shm.Ref
}

func newSemaphore(op string, value, max int) semaphore {
	if value < 0 || value > 1<<31 {
		panic(fmt.Errorf("mp: %s: the initial value %d must be between 0 and 2³¹", op, value))
	}
	r, ref := allocShared(op, 12)
	s, err := openSemaphore(r, ref)
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w", op, err))
	}
	atomic.StoreUint32(s.max, uint32(max))
	atomic.StoreUint32(s.value, uint32(value))
	return s
}

func openSemaphore(r *shm.Region, ref shm.Ref) (semaphore, error) {
	b, err := r.Bytes(ref, 12)
	if err != nil {
		return semaphore{}, err
	}
	return semaphore{
		value:   (*uint32)(unsafe.Pointer(&b[0])),
		waiters: (*uint32)(unsafe.Pointer(&b[4])),
		max:     (*uint32)(unsafe.Pointer(&b[8])),
		ref:     ref,
	}, nil
}

func (s semaphore) tryAcquire() bool {
	for {
		v := atomic.LoadUint32(s.value)
		if v == 0 {
			return false
		}
		if atomic.CompareAndSwapUint32(s.value, v, v-1) {
			return true
		}
	}
}

func (s semaphore) acquire(op string, timeout []time.Duration) bool {
	if s.tryAcquire() {
		return true
	}
	deadline, once := deadlineOf(op, timeout)
	if once {
		return false
	}
	ctx := cellContext()
	// Counted as a waiter before looking at the value again, so that a
	// release in between either is seen here or sees this waiter and wakes.
	atomic.AddUint32(s.waiters, 1)
	defer atomic.AddUint32(s.waiters, ^uint32(0))
	for !s.tryAcquire() {
		switch err := shm.Wait(ctx, s.value, 0, deadline, 0); {
		case errors.Is(err, shm.ErrTimeout):
			return s.tryAcquire()
		case err != nil:
			// A wake meant for this waiter may have come with the
			// interrupt: pass it on.
			if atomic.LoadUint32(s.value) != 0 {
				shm.Wake(s.value, 1)
			}
			panic(fmt.Errorf("mp: %s: %w", op, err))
		}
	}
	return true
}

func (s semaphore) release(op string) {
	for {
		v := atomic.LoadUint32(s.value)
		if max := atomic.LoadUint32(s.max); max != 0 && v >= max {
			panic(fmt.Errorf("mp: %s: released more times than acquired: the value would exceed %d (Python's ValueError: semaphore or lock released too many times)", op, max))
		}
		if atomic.CompareAndSwapUint32(s.value, v, v+1) {
			break
		}
	}
	if atomic.LoadUint32(s.waiters) != 0 {
		shm.Wake(s.value, 1)
	}
}

// Semaphore is a counter shared by processes, Python's
// multiprocessing.Semaphore: Acquire waits while it is zero, then
// decrements it; Release increments it. It satisfies sync.Locker.
type Semaphore struct{ s semaphore }

// NewSemaphore makes a Semaphore of value n (Python's default is 1).
func NewSemaphore(n int) *Semaphore {
	s := &Semaphore{newSemaphore("NewSemaphore", n, 0)}
	return mustTrack("NewSemaphore", mustRegion("NewSemaphore"), semaphoreKind, s.s.ref, s)
}

// SharedRef is how the semaphore crosses to another process (codec.Shared).
func (s *Semaphore) SharedRef() (kind string, id uint64) { return semaphoreKind, uint64(s.s.ref) }

// Acquire waits until the value is above zero and decrements it; with a
// timeout it waits at most that long (zero or less: tries once), and
// reports whether it decremented. An interrupt stops the wait with a panic.
func (s *Semaphore) Acquire(timeout ...time.Duration) bool {
	v := s.s.acquire("Semaphore.Acquire", timeout)
	runtime.KeepAlive(s)
	return v
}

// TryAcquire decrements the value if it is above zero.
func (s *Semaphore) TryAcquire() bool {
	v := s.s.tryAcquire()
	runtime.KeepAlive(s)
	return v
}

// Release increments the value, waking a waiter.
func (s *Semaphore) Release() {
	s.s.release("Semaphore.Release")
	runtime.KeepAlive(s)
}

// Lock is Acquire without a timeout (sync.Locker).
func (s *Semaphore) Lock() { s.Acquire() }

// Unlock is Release (sync.Locker).
func (s *Semaphore) Unlock() { s.Release() }

// Value is the current value (Python's get_value).
func (s *Semaphore) Value() int {
	v := int(atomic.LoadUint32(s.s.value))
	runtime.KeepAlive(s)
	return v
}

// String is like Python's repr: <Semaphore(value=2)>.
func (s *Semaphore) String() string { return fmt.Sprintf("<Semaphore(value=%d)>", s.Value()) }

// BoundedSemaphore is a Semaphore whose value cannot go above its initial
// value: a Release beyond it panics (Python's ValueError), which catches a
// release too many.
type BoundedSemaphore struct{ s semaphore }

// NewBoundedSemaphore makes a BoundedSemaphore of value n, its maximum.
func NewBoundedSemaphore(n int) *BoundedSemaphore {
	if n <= 0 {
		panic(fmt.Errorf("mp: NewBoundedSemaphore: the value %d must be positive", n))
	}
	s := &BoundedSemaphore{newSemaphore("NewBoundedSemaphore", n, n)}
	return mustTrack("NewBoundedSemaphore", mustRegion("NewBoundedSemaphore"), boundedSemaphoreKind, s.s.ref, s)
}

// SharedRef is how the semaphore crosses to another process (codec.Shared).
func (s *BoundedSemaphore) SharedRef() (kind string, id uint64) {
	return boundedSemaphoreKind, uint64(s.s.ref)
}

// Acquire is Semaphore's Acquire.
func (s *BoundedSemaphore) Acquire(timeout ...time.Duration) bool {
	v := s.s.acquire("BoundedSemaphore.Acquire", timeout)
	runtime.KeepAlive(s)
	return v
}

// TryAcquire decrements the value if it is above zero.
func (s *BoundedSemaphore) TryAcquire() bool {
	v := s.s.tryAcquire()
	runtime.KeepAlive(s)
	return v
}

// Release increments the value; above the initial value it panics.
func (s *BoundedSemaphore) Release() {
	s.s.release("BoundedSemaphore.Release")
	runtime.KeepAlive(s)
}

// Lock is Acquire without a timeout (sync.Locker).
func (s *BoundedSemaphore) Lock() { s.Acquire() }

// Unlock is Release (sync.Locker).
func (s *BoundedSemaphore) Unlock() { s.Release() }

// Value is the current value.
func (s *BoundedSemaphore) Value() int {
	v := int(atomic.LoadUint32(s.s.value))
	runtime.KeepAlive(s)
	return v
}

// String is like Python's repr: <BoundedSemaphore(value=1, maxvalue=2)>.
func (s *BoundedSemaphore) String() string {
	v := fmt.Sprintf("<BoundedSemaphore(value=%d, maxvalue=%d)>", s.Value(), atomic.LoadUint32(s.s.max))
	runtime.KeepAlive(s)
	return v
}

// Event is a flag shared by processes, Python's multiprocessing.Event:
// Wait blocks until it is set.
//
// Its word is the flag (bit 0) and a count of the times it was set (the
// other bits): a waiter that sees the count change knows the event was set
// while it slept, even if it was cleared again before it looked (Python's
// threading.Event has the same guarantee).
type Event struct {
	word *uint32
	ref  shm.Ref
}

// NewEvent makes an Event, not set.
func NewEvent() *Event {
	r, ref := allocShared("NewEvent", 4)
	e, err := openEvent(r, ref)
	if err != nil {
		panic(fmt.Errorf("mp: NewEvent: %w", err))
	}
	return mustTrack("NewEvent", r, eventKind, ref, e)
}

func openEvent(r *shm.Region, ref shm.Ref) (*Event, error) {
	w, err := r.Word(ref)
	if err != nil {
		return nil, err
	}
	return &Event{word: w, ref: ref}, nil
}

// SharedRef is how the event crosses to another process (codec.Shared).
func (e *Event) SharedRef() (kind string, id uint64) { return eventKind, uint64(e.ref) }

// Set sets the flag and wakes every waiter.
func (e *Event) Set() {
	defer runtime.KeepAlive(e)
	for {
		v := atomic.LoadUint32(e.word)
		if v&1 != 0 {
			return
		}
		if atomic.CompareAndSwapUint32(e.word, v, (v+2)|1) {
			break
		}
	}
	shm.WakeAll(e.word)
}

// Clear resets the flag.
func (e *Event) Clear() {
	defer runtime.KeepAlive(e)
	for {
		v := atomic.LoadUint32(e.word)
		if v&1 == 0 || atomic.CompareAndSwapUint32(e.word, v, v&^1) {
			return
		}
	}
}

// IsSet reports whether the flag is set.
func (e *Event) IsSet() bool {
	defer runtime.KeepAlive(e)
	return atomic.LoadUint32(e.word)&1 != 0
}

// Wait blocks until the flag is set, or with a timeout at most that long;
// it reports whether the flag was set (false: timed out). An interrupt
// stops the wait with a panic.
func (e *Event) Wait(timeout ...time.Duration) bool {
	defer runtime.KeepAlive(e)
	v := atomic.LoadUint32(e.word)
	if v&1 != 0 {
		return true
	}
	deadline, once := deadlineOf("Event.Wait", timeout)
	if once {
		return false
	}
	ctx := cellContext()
	for {
		switch err := shm.Wait(ctx, e.word, v, deadline, 0); {
		case errors.Is(err, shm.ErrTimeout):
			return atomic.LoadUint32(e.word) != v
		case err != nil:
			panic(fmt.Errorf("mp: Event.Wait: %w", err))
		}
		// Clear only turns the flag off, and v had it off: any change is a
		// Set.
		if atomic.LoadUint32(e.word) != v {
			return true
		}
	}
}

// String is like Python's repr: <Event(set)> or <Event(unset)>.
func (e *Event) String() string {
	defer runtime.KeepAlive(e)
	if e.IsSet() {
		return "<Event(set)>"
	}
	return "<Event(unset)>"
}
