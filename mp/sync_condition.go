package mp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"gomp/mp/shm"
)

const conditionKind = "sync/Condition"

func init() {
	registerSharedKind(conditionKind, func(r *shm.Region, ref shm.Ref) (any, error) { return openCondition(r, ref) })
}

// conditionLock is what a Condition needs of its lock: Lock and RLock.
type conditionLock interface {
	sync.Locker
	SharedRef() (kind string, id uint64)
	Acquire(timeout ...time.Duration) bool
	TryAcquire() bool
	Release()
	ownedHere() bool
	releaseAll() uint32              // free it whatever its count, for Wait
	restore(context.Context, uint32) // and take it back
}

// Condition is a condition variable shared by processes, Python's
// multiprocessing.Condition: Wait releases its lock, sleeps until a Notify,
// and takes the lock back. Wait and Notify need the lock held.
//
// Its futex word counts waiters (low 16 bits) and wake tickets (high 16
// bits): Notify turns waiters into tickets, a waiter takes a ticket to
// return. Tickets are not addressed, so a waiter that arrived after a
// Notify can take one that an earlier waiter had not yet taken; the earlier
// one then takes the next (as with POSIX condition variables, check the
// condition in a loop, or use WaitFor).
type Condition struct {
	state *uint32
	lock  conditionLock
	ref   shm.Ref
}

const (
	conditionWaiters = 1<<16 - 1
	conditionTicket  = 1 << 16
)

// condition's memory: the state word, the kind of its lock, the lock's Ref.
const (
	conditionLockIsRLock = 1
	conditionSize        = 16
)

// NewCondition makes a Condition on lock, an *mp.Lock or an *mp.RLock, or
// on a new RLock (Python's default) when none is given.
func NewCondition(lock ...sync.Locker) *Condition {
	var l conditionLock
	switch len(lock) {
	case 0:
		l = NewRLock()
	case 1:
		switch x := lock[0].(type) {
		case *Lock:
			l = x
		case *RLock:
			l = x
		default:
			panic(fmt.Errorf("mp: NewCondition: the lock must be an *mp.Lock or an *mp.RLock, which other processes share; a %T is not", lock[0]))
		}
	default:
		panic(errors.New("mp: NewCondition: give at most one lock"))
	}
	r, ref := allocShared("NewCondition", conditionSize)
	b, err := r.Bytes(ref, conditionSize)
	if err != nil {
		panic(fmt.Errorf("mp: NewCondition: %w", err))
	}
	if _, ok := l.(*RLock); ok {
		atomic.StoreUint32((*uint32)(unsafe.Pointer(&b[4])), conditionLockIsRLock)
	}
	_, lockRef := l.SharedRef()
	// The condition names its lock in shared memory, for processes that
	// open it later: the lock must outlive every handle on it.
	r.Pin(shm.Ref(lockRef))
	atomic.StoreUint64((*uint64)(unsafe.Pointer(&b[8])), lockRef)
	c := &Condition{state: (*uint32)(unsafe.Pointer(&b[0])), lock: l, ref: ref}
	rememberShared(conditionKind, ref, c)
	return c
}

func openCondition(r *shm.Region, ref shm.Ref) (*Condition, error) {
	b, err := r.Bytes(ref, conditionSize)
	if err != nil {
		return nil, err
	}
	kind := lockKind
	if atomic.LoadUint32((*uint32)(unsafe.Pointer(&b[4]))) == conditionLockIsRLock {
		kind = rlockKind
	}
	lv, err := sharedResolver{}.ResolveShared(kind, atomic.LoadUint64((*uint64)(unsafe.Pointer(&b[8]))))
	if err != nil {
		return nil, fmt.Errorf("opening its lock: %w", err)
	}
	return &Condition{state: (*uint32)(unsafe.Pointer(&b[0])), lock: lv.Interface().(conditionLock), ref: ref}, nil
}

// SharedRef is how the condition crosses to another process (codec.Shared).
func (c *Condition) SharedRef() (kind string, id uint64) { return conditionKind, uint64(c.ref) }

// Acquire takes the condition's lock (see Lock.Acquire).
func (c *Condition) Acquire(timeout ...time.Duration) bool { return c.lock.Acquire(timeout...) }

// TryAcquire takes the condition's lock if it is free.
func (c *Condition) TryAcquire() bool { return c.lock.TryAcquire() }

// Release releases the condition's lock.
func (c *Condition) Release() { c.lock.Release() }

// Lock takes the condition's lock (sync.Locker).
func (c *Condition) Lock() { c.lock.Lock() }

// Unlock releases the condition's lock (sync.Locker).
func (c *Condition) Unlock() { c.lock.Unlock() }

// Wait releases the lock (all of an RLock's acquisitions), waits until
// notified, or with a timeout at most that long, takes the lock back, and
// reports whether it was notified (false: timed out). Calling it without
// holding the lock panics. An interrupt stops the wait with a panic, after
// the lock is taken back (a deferred Unlock stays right).
func (c *Condition) Wait(timeout ...time.Duration) bool {
	c.mustOwn("Wait")
	deadline, once := deadlineOf("Condition.Wait", timeout)
	if atomic.AddUint32(c.state, 1)&conditionWaiters == 0 {
		panic(errors.New("mp: Condition.Wait: more than 65535 waiters"))
	}
	saved := c.lock.releaseAll()
	notified, err := c.sleep(cellContext(), deadline, once)
	// Taken back whatever happened: the caller's Unlock follows. A lock
	// is held briefly around a Wait, so this wait is not interruptible.
	c.lock.restore(context.Background(), saved)
	if err != nil {
		panic(fmt.Errorf("mp: Condition.Wait: %w", err))
	}
	return notified
}

// sleep waits for a ticket; on timeout or interrupt it withdraws as a
// waiter, or takes the ticket that came meanwhile.
func (c *Condition) sleep(ctx context.Context, deadline time.Time, once bool) (notified bool, err error) {
	for {
		v := atomic.LoadUint32(c.state)
		if v >= conditionTicket {
			if atomic.CompareAndSwapUint32(c.state, v, v-conditionTicket) {
				return true, nil
			}
			continue
		}
		if once {
			err = shm.ErrTimeout
		} else {
			err = shm.Wait(ctx, c.state, v, deadline, 0)
		}
		if err != nil {
			break
		}
	}
	for {
		v := atomic.LoadUint32(c.state)
		switch {
		case v >= conditionTicket:
			if atomic.CompareAndSwapUint32(c.state, v, v-conditionTicket) {
				if errors.Is(err, shm.ErrTimeout) {
					return true, nil
				}
				return true, err
			}
		case v&conditionWaiters != 0:
			if atomic.CompareAndSwapUint32(c.state, v, v-1) {
				if errors.Is(err, shm.ErrTimeout) {
					return false, nil
				}
				return false, err
			}
		default:
			// Another waiter took the ticket this one's Notify made, and
			// with it this one's place: nothing to withdraw.
			if errors.Is(err, shm.ErrTimeout) {
				return false, nil
			}
			return false, err
		}
	}
}

// WaitFor waits until pred returns true, checking it first and after each
// wake, with the lock held; with a timeout it waits at most that long in
// all, and returns pred's last result (Python's wait_for).
func (c *Condition) WaitFor(pred func() bool, timeout ...time.Duration) bool {
	deadline, once := deadlineOf("Condition.WaitFor", timeout)
	for {
		if pred() {
			return true
		}
		switch {
		case once:
			return false
		case deadline.IsZero():
			c.Wait()
		default:
			left := time.Until(deadline)
			if left <= 0 {
				return pred()
			}
			c.Wait(left)
		}
	}
}

// Notify wakes up to n waiters (one by default). It needs the lock held.
func (c *Condition) Notify(n ...int) {
	c.mustOwn("Notify")
	want := 1
	switch len(n) {
	case 0:
	case 1:
		want = n[0]
	default:
		panic(errors.New("mp: Condition.Notify: give at most one count"))
	}
	c.notify(want)
}

// NotifyAll wakes every waiter. It needs the lock held.
func (c *Condition) NotifyAll() {
	c.mustOwn("NotifyAll")
	c.notify(conditionWaiters)
}

func (c *Condition) notify(n int) {
	for n > 0 {
		v := atomic.LoadUint32(c.state)
		k := min(uint32(n), v&conditionWaiters)
		if k == 0 {
			return
		}
		if atomic.CompareAndSwapUint32(c.state, v, v-k+k*conditionTicket) {
			shm.Wake(c.state, int(k))
			return
		}
	}
}

func (c *Condition) mustOwn(op string) {
	if !c.lock.ownedHere() {
		panic(fmt.Errorf("mp: Condition.%s: the condition's lock is not held here; take it first (c.Lock())", op))
	}
}

// String is like Python's repr: <Condition(<RLock(None, 0)>, 0)>, with the
// number of waiters.
func (c *Condition) String() string {
	return fmt.Sprintf("<Condition(%v, %d)>", c.lock, atomic.LoadUint32(c.state)&conditionWaiters)
}
