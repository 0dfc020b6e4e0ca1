package mp

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"time"
	"unsafe"

	"gomp/mp/shm"
)

const barrierKind = "sync/Barrier"

func init() {
	registerSharedKind(barrierKind, func(r *shm.Region, ref shm.Ref) (any, error) { return openBarrier(r, ref) })
}

// barrierError is the type of ErrBrokenBarrier: a constant, so that no cell
// can reassign it.
type barrierError string

func (e barrierError) Error() string { return string(e) }

// ErrBrokenBarrier is what Barrier.Wait returns when the barrier is broken
// (Python's BrokenBarrierError); test with errors.Is.
const ErrBrokenBarrier = barrierError("the barrier is broken")

// Barrier makes a number of parties (goroutines of any processes) wait
// until all have arrived, Python's multiprocessing.Barrier. It follows
// Python's algorithm: once the last party arrives the barrier drains (the
// parties leave) before the next round may fill it; Abort breaks it, and a
// Wait that times out breaks it too; Reset makes it usable again.
type Barrier struct {
	mu      shm.Mutex // guards the rest; waiters sleep on seq
	seq     *uint32   // bumped at each change of state (a notify_all)
	parties *uint32
	count   *uint32 // parties inside Wait
	state   *uint32 // barrierFilling...
	name    []byte  // the action's name, for the other processes
	nameLen *uint32
	action  func() // the action, in the process that made the barrier
	ref     shm.Ref
}

const (
	barrierFilling   = iota
	barrierDraining  // the last party arrived: the others leave
	barrierResetting // Reset while parties waited: they leave broken
	barrierBroken
)

const (
	barrierHeader  = 24
	barrierNameMax = 232
	barrierSize    = barrierHeader + barrierNameMax
)

// NewBarrier makes a barrier for parties parties. The optional action runs
// when the last party arrives, in that party's process, before any party
// leaves; it must be a top-level function of the notebook (other processes
// call it by name). If it panics, the barrier breaks.
func NewBarrier(parties int, action ...func()) *Barrier {
	if parties <= 0 || parties > 1<<30 {
		panic(fmt.Errorf("mp: NewBarrier: parties must be positive, not %d", parties))
	}
	if len(action) > 1 {
		panic(errors.New("mp: NewBarrier: give at most one action"))
	}
	name := ""
	if len(action) == 1 && action[0] != nil {
		t, err := requireHost("NewBarrier").Identify(reflect.ValueOf(action[0]))
		if err != nil {
			panic(fmt.Errorf("mp: NewBarrier: the action: %w", err))
		}
		if t.Recv.IsValid() || len(t.Func) > barrierNameMax {
			panic(fmt.Errorf("mp: NewBarrier: the action must be a top-level function; %s is not", t.Func))
		}
		name = t.Func
	}
	r, ref := allocShared("NewBarrier", barrierSize)
	b, err := openBarrier(r, ref)
	if err != nil {
		panic(fmt.Errorf("mp: NewBarrier: %w", err))
	}
	atomic.StoreUint32(b.parties, uint32(parties))
	copy(b.name, name)
	atomic.StoreUint32(b.nameLen, uint32(len(name)))
	if name != "" {
		b.action = action[0]
	}
	rememberShared(barrierKind, ref, b)
	return b
}

func openBarrier(r *shm.Region, ref shm.Ref) (*Barrier, error) {
	m, err := r.Bytes(ref, barrierSize)
	if err != nil {
		return nil, err
	}
	word := func(off int) *uint32 { return (*uint32)(unsafe.Pointer(&m[off])) }
	return &Barrier{
		mu: shm.MutexAt(word(0)), seq: word(4), parties: word(8), count: word(12), state: word(16),
		nameLen: word(20), name: m[barrierHeader:], ref: ref,
	}, nil
}

// SharedRef is how the barrier crosses to another process (codec.Shared).
func (b *Barrier) SharedRef() (kind string, id uint64) { return barrierKind, uint64(b.ref) }

// Wait waits until all parties have called Wait, and returns this party's
// arrival index, 0 to Parties()-1 (Python's return value: one party can be
// picked to do something by comparing it with 0). It returns an error
// wrapping ErrBrokenBarrier if the barrier is or gets broken (Abort, a
// Reset, another party's timeout or panicking action); with a timeout, if
// not all parties arrived in time, it breaks the barrier and returns such
// an error. An interrupt makes it return the context's error (this party
// leaves; the barrier is not broken).
func (b *Barrier) Wait(timeout ...time.Duration) (int, error) {
	deadline, once := deadlineOf("Barrier.Wait", timeout)
	if once {
		deadline = time.Now()
	}
	ctx := cellContext()
	if err := b.lock(ctx); err != nil {
		return -1, err
	}
	defer b.mu.Unlock()
	// Python's _enter: wait while the previous round drains.
	for s := atomic.LoadUint32(b.state); s == barrierDraining || s == barrierResetting; s = atomic.LoadUint32(b.state) {
		if err := b.wait(ctx, time.Time{}); err != nil {
			return -1, fmt.Errorf("mp: Barrier.Wait: %w", err)
		}
	}
	if atomic.LoadUint32(b.state) == barrierBroken {
		return -1, fmt.Errorf("mp: Barrier.Wait: %w", ErrBrokenBarrier)
	}
	index := int(atomic.AddUint32(b.count, 1)) - 1
	defer b.leave()
	if index+1 == int(atomic.LoadUint32(b.parties)) {
		b.trip()
		return index, nil
	}
	for atomic.LoadUint32(b.state) == barrierFilling {
		err := b.wait(ctx, deadline)
		switch {
		case err == nil || atomic.LoadUint32(b.state) != barrierFilling:
		case errors.Is(err, shm.ErrTimeout):
			b.breakLocked()
			return -1, fmt.Errorf("mp: Barrier.Wait timed out, which breaks the barrier: %w", ErrBrokenBarrier)
		default:
			return -1, fmt.Errorf("mp: Barrier.Wait: %w", err)
		}
	}
	if atomic.LoadUint32(b.state) != barrierDraining {
		return -1, fmt.Errorf("mp: Barrier.Wait: %w", ErrBrokenBarrier)
	}
	return index, nil
}

// trip is the last party's arrival: the action, then the others may go.
func (b *Barrier) trip() {
	ok := false
	defer func() {
		if !ok {
			b.breakLocked() // the action panicked: the panic goes on
		}
	}()
	b.runAction()
	ok = true
	atomic.StoreUint32(b.state, barrierDraining)
	shm.Bump(b.seq)
}

func (b *Barrier) runAction() {
	if b.action != nil {
		b.action()
		return
	}
	n := atomic.LoadUint32(b.nameLen)
	if n == 0 {
		return
	}
	switch err := requireHost("Barrier.Wait").Call(Target{Func: string(b.name[:n])}, nil).(type) {
	case nil:
	case *TargetPanic:
		panic(err.Value)
	default:
		panic(fmt.Errorf("mp: Barrier.Wait: the action: %w", err))
	}
}

// leave is Python's _exit: the last party out ends the draining or the
// resetting.
func (b *Barrier) leave() {
	if atomic.AddUint32(b.count, ^uint32(0)) == 0 {
		if s := atomic.LoadUint32(b.state); s == barrierDraining || s == barrierResetting {
			atomic.StoreUint32(b.state, barrierFilling)
			shm.Bump(b.seq)
		}
	}
}

// wait is a condition variable's wait on seq: it releases mu while it
// sleeps. A change made under mu bumps seq, so sampling seq before
// releasing mu loses no wake.
func (b *Barrier) wait(ctx context.Context, deadline time.Time) error {
	seen := atomic.LoadUint32(b.seq)
	b.mu.Unlock()
	err := shm.Wait(ctx, b.seq, seen, deadline, 0)
	if lerr := b.lock(context.Background()); lerr != nil {
		return lerr
	}
	return err
}

func (b *Barrier) lock(ctx context.Context) error {
	if b.mu.TryLock() {
		return nil
	}
	dead, err := b.mu.Lock(ctx, time.Time{})
	if err != nil {
		return fmt.Errorf("mp: Barrier: %w", err)
	}
	if dead != 0 {
		warn(fmt.Sprintf("mp: Barrier: process %d died inside the barrier's bookkeeping; the barrier may be inconsistent (Reset it)\n", dead))
	}
	return nil
}

func (b *Barrier) breakLocked() {
	atomic.StoreUint32(b.state, barrierBroken)
	shm.Bump(b.seq)
}

// Abort breaks the barrier: the parties waiting, and any that call Wait
// until a Reset, get ErrBrokenBarrier.
func (b *Barrier) Abort() {
	if b.lock(cellContext()) != nil {
		return
	}
	defer b.mu.Unlock()
	b.breakLocked()
}

// Reset returns the barrier to its empty state; parties waiting get
// ErrBrokenBarrier.
func (b *Barrier) Reset() {
	if b.lock(cellContext()) != nil {
		return
	}
	defer b.mu.Unlock()
	if atomic.LoadUint32(b.count) > 0 {
		if s := atomic.LoadUint32(b.state); s == barrierFilling || s == barrierBroken {
			atomic.StoreUint32(b.state, barrierResetting)
		}
	} else {
		atomic.StoreUint32(b.state, barrierFilling)
	}
	shm.Bump(b.seq)
}

// Parties is the number of parties the barrier waits for.
func (b *Barrier) Parties() int { return int(atomic.LoadUint32(b.parties)) }

// NWaiting is the number of parties waiting now (Python's n_waiting).
func (b *Barrier) NWaiting() int {
	if atomic.LoadUint32(b.state) != barrierFilling {
		return 0
	}
	return int(atomic.LoadUint32(b.count))
}

// Broken reports whether the barrier is broken.
func (b *Barrier) Broken() bool { return atomic.LoadUint32(b.state) == barrierBroken }

// String is like Python's repr: <Barrier(parties=3, waiting=1)>, or
// <Barrier(parties=3, broken)>.
func (b *Barrier) String() string {
	if b.Broken() {
		return fmt.Sprintf("<Barrier(parties=%d, broken)>", b.Parties())
	}
	return fmt.Sprintf("<Barrier(parties=%d, waiting=%d)>", b.Parties(), b.NWaiting())
}
