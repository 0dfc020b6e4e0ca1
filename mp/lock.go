package mp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"gomp/mp/shm"
)

// Lock and RLock live in the kernel's shared memory (package shm), so that
// every process of the kernel takes the same lock: an uncontended Acquire is
// one compare-and-swap and Release one swap, and a waiter sleeps on a futex.
// The lock's word holds the holder's pid, which is how a waiter notices that
// the holder died and takes the lock over instead of hanging the notebook.

const (
	lockKind  = "sync/Lock"
	rlockKind = "sync/RLock"
)

func init() {
	for _, kind := range []string{lockKind, rlockKind} {
		freedKinds[kind] = func(id uint64) shm.Ref { return shm.Ref(id) }
	}
	registerSharedKind(lockKind, func(r *shm.Region, ref shm.Ref) (any, error) {
		l, err := openLock(r, ref)
		if err != nil {
			return nil, err
		}
		return trackSimple(r, lockKind, ref, l)
	})
	registerSharedKind(rlockKind, func(r *shm.Region, ref shm.Ref) (any, error) {
		l, err := openRLock(r, ref)
		if err != nil {
			return nil, err
		}
		return trackSimple(r, rlockKind, ref, l)
	})
}

// myPid is this process's pid, which shm.Mutex stores as the holder.
var myPid = os.Getpid()

// Lock is a lock shared by processes, Python's multiprocessing.Lock. Any
// goroutine of any process may release it, as in Python. It satisfies
// sync.Locker. Pass it to children as an argument, or inside a global
// variable or a struct: every copy is the same lock.
type Lock struct {
	mu  shm.Mutex
	ref shm.Ref
}

// NewLock makes a Lock, unlocked.
func NewLock() *Lock {
	r, ref := allocShared("NewLock", 4)
	l, err := openLock(r, ref)
	if err != nil {
		panic(fmt.Errorf("mp: NewLock: %w", err))
	}
	return mustTrack("NewLock", r, lockKind, ref, l)
}

func openLock(r *shm.Region, ref shm.Ref) (*Lock, error) {
	w, err := r.Word(ref)
	if err != nil {
		return nil, err
	}
	return &Lock{mu: shm.MutexAt(w), ref: ref}, nil
}

// SharedRef is how the lock crosses to another process (codec.Shared).
func (l *Lock) SharedRef() (kind string, id uint64) { return lockKind, uint64(l.ref) }

// Acquire takes the lock, waiting as long as it takes, or with a timeout at
// most that long (Python's acquire(timeout=...)); it reports whether it took
// the lock (always true without a timeout). A timeout of zero or less tries
// once, as TryAcquire. If the process holding the lock died, Acquire takes
// it over and prints a warning. Interrupting the cell stops the wait with a
// panic (Python's KeyboardInterrupt).
func (l *Lock) Acquire(timeout ...time.Duration) bool {
	// Not deferred, which would keep it from being inlined: an
	// uncontended Acquire is one compare-and-swap.
	if len(timeout) < 2 && l.mu.TryLock() {
		runtime.KeepAlive(l)
		return true
	}
	ok := l.acquireSlow("Lock.Acquire", timeout)
	runtime.KeepAlive(l)
	return ok
}

// TryAcquire takes the lock if it is free (Python's acquire(False)).
func (l *Lock) TryAcquire() bool {
	ok := l.mu.TryLock()
	runtime.KeepAlive(l)
	return ok
}

func (l *Lock) acquireSlow(op string, timeout []time.Duration) bool {
	deadline, once := deadlineOf(op, timeout)
	if once {
		return l.mu.TryLock()
	}
	return lockMutex(op, "Lock", l.mu, cellContext(), deadline)
}

// Release frees the lock. Releasing a Lock that is not locked panics
// (Python's ValueError), except while the cell is being interrupted: a
// deferred Release then follows an Acquire that gave up.
func (l *Lock) Release() {
	err := l.mu.Unlock()
	runtime.KeepAlive(l)
	if err != nil && !interrupting() {
		panic(errors.New("mp: Lock.Release: the lock is not locked (Python's ValueError: semaphore or lock released too many times)"))
	}
}

// Lock is Acquire without a timeout (sync.Locker).
func (l *Lock) Lock() { l.Acquire() }

// Unlock is Release (sync.Locker).
func (l *Lock) Unlock() { l.Release() }

// String shows who holds the lock, like Python's repr:
// <Lock(owner=None)>, <Lock(owner=MainProcess)>, or the pid of another
// process holding it.
func (l *Lock) String() string {
	defer runtime.KeepAlive(l)
	switch h := l.mu.Holder(); h {
	case 0:
		return "<Lock(owner=None)>"
	case myPid:
		return "<Lock(owner=" + selfIdentity().name + ")>"
	default:
		return "<Lock(owner=pid " + strconv.Itoa(h) + ")>"
	}
}

// ownedHere, releaseAll and restore are what a Condition needs of its lock.
func (l *Lock) ownedHere() bool {
	defer runtime.KeepAlive(l)
	return l.mu.Holder() == myPid
}

func (l *Lock) releaseAll() uint32 {
	l.Release()
	return 1
}

func (l *Lock) restore(ctx context.Context, _ uint32) {
	defer runtime.KeepAlive(l)
	if !l.mu.TryLock() {
		lockMutex("Condition.Wait", "Lock", l.mu, ctx, time.Time{})
	}
}

// RLock is a reentrant lock shared by processes, Python's
// multiprocessing.RLock: the goroutine holding it may acquire it again, and
// must release it as many times. It is held by a goroutine of a process;
// only that goroutine may release it. It satisfies sync.Locker.
//
// Go has no goroutine identity; RLock reads the goroutine's id from its
// stack header, which costs about a microsecond: use Lock where reentrancy
// is not needed.
type RLock struct {
	mu    shm.Mutex
	owner *uint64 // the holding goroutine's id, in the holder's process
	count *uint32 // how many times the holder has acquired it
	ref   shm.Ref
}

// NewRLock makes an RLock, unlocked.
func NewRLock() *RLock {
	r, ref := allocShared("NewRLock", 24)
	l, err := openRLock(r, ref)
	if err != nil {
		panic(fmt.Errorf("mp: NewRLock: %w", err))
	}
	return mustTrack("NewRLock", r, rlockKind, ref, l)
}

func openRLock(r *shm.Region, ref shm.Ref) (*RLock, error) {
	b, err := r.Bytes(ref, 24)
	if err != nil {
		return nil, err
	}
	return &RLock{
		mu:    shm.MutexAt((*uint32)(unsafe.Pointer(&b[0]))),
		owner: (*uint64)(unsafe.Pointer(&b[8])),
		count: (*uint32)(unsafe.Pointer(&b[16])),
		ref:   ref,
	}, nil
}

// SharedRef is how the lock crosses to another process (codec.Shared).
func (l *RLock) SharedRef() (kind string, id uint64) { return rlockKind, uint64(l.ref) }

// Acquire takes the lock, or counts one more acquisition if this goroutine
// holds it already; with a timeout it waits at most that long, and reports
// whether it took the lock. As Lock's Acquire, it takes over the lock of a
// process that died holding it, with a warning, and an interrupt stops the
// wait with a panic.
func (l *RLock) Acquire(timeout ...time.Duration) bool {
	defer runtime.KeepAlive(l)
	g := goroutineID()
	if l.heldBy(g) {
		atomic.AddUint32(l.count, 1)
		return true
	}
	if !l.mu.TryLock() {
		deadline, once := deadlineOf("RLock.Acquire", timeout)
		if once || !lockMutex("RLock.Acquire", "RLock", l.mu, cellContext(), deadline) {
			return false
		}
	}
	atomic.StoreUint64(l.owner, g)
	atomic.StoreUint32(l.count, 1)
	return true
}

// TryAcquire takes the lock if it is free or already this goroutine's.
func (l *RLock) TryAcquire() bool {
	defer runtime.KeepAlive(l)
	g := goroutineID()
	if l.heldBy(g) {
		atomic.AddUint32(l.count, 1)
		return true
	}
	if !l.mu.TryLock() {
		return false
	}
	atomic.StoreUint64(l.owner, g)
	atomic.StoreUint32(l.count, 1)
	return true
}

func (l *RLock) heldBy(g uint64) bool {
	defer runtime.KeepAlive(l)
	return l.mu.Holder() == myPid && atomic.LoadUint64(l.owner) == g
}

// Release undoes one Acquire; the last one frees the lock. Releasing an
// RLock this goroutine does not hold panics (Python's RuntimeError), except
// while the cell is being interrupted.
func (l *RLock) Release() {
	defer runtime.KeepAlive(l)
	if !l.heldBy(goroutineID()) {
		if interrupting() {
			return
		}
		panic(errors.New("mp: RLock.Release: cannot release un-acquired lock (this goroutine does not hold it; Python's RuntimeError)"))
	}
	if atomic.AddUint32(l.count, ^uint32(0)) == 0 {
		atomic.StoreUint64(l.owner, 0)
		l.mu.Unlock()
	}
}

// Lock is Acquire without a timeout (sync.Locker).
func (l *RLock) Lock() { l.Acquire() }

// Unlock is Release (sync.Locker).
func (l *RLock) Unlock() { l.Release() }

// String shows the holder and its count, like Python's repr: <RLock(None, 0)>,
// <RLock(MainProcess, 2)>, <RLock(MainProcess|goroutine 7, 1)> when another
// goroutine of this process holds it, <RLock(pid 1234, 1)> for another
// process.
func (l *RLock) String() string {
	defer runtime.KeepAlive(l)
	h := l.mu.Holder()
	n := atomic.LoadUint32(l.count)
	switch {
	case h == 0:
		return "<RLock(None, 0)>"
	case h != myPid:
		return fmt.Sprintf("<RLock(pid %d, %d)>", h, n)
	}
	name := selfIdentity().name
	if g := atomic.LoadUint64(l.owner); g != goroutineID() {
		name += "|goroutine " + strconv.FormatUint(g, 10)
	}
	return fmt.Sprintf("<RLock(%s, %d)>", name, n)
}

func (l *RLock) ownedHere() bool { return l.heldBy(goroutineID()) }

// releaseAll frees the lock whatever its count (a Condition's Wait), and
// returns the count for restore.
func (l *RLock) releaseAll() uint32 {
	defer runtime.KeepAlive(l)
	if !l.ownedHere() {
		panic(errors.New("mp: RLock.Release: cannot release un-acquired lock"))
	}
	n := atomic.SwapUint32(l.count, 0)
	atomic.StoreUint64(l.owner, 0)
	l.mu.Unlock()
	return n
}

func (l *RLock) restore(ctx context.Context, n uint32) {
	defer runtime.KeepAlive(l)
	if !l.mu.TryLock() {
		lockMutex("Condition.Wait", "RLock", l.mu, ctx, time.Time{})
	}
	atomic.StoreUint64(l.owner, goroutineID())
	atomic.StoreUint32(l.count, n)
}

// lockMutex is the slow path of every acquire: it waits for mu until the
// deadline (then false), takes over from a dead holder with a warning, and
// panics when ctx (the cell) is interrupted.
func lockMutex(op, what string, mu shm.Mutex, ctx context.Context, deadline time.Time) bool {
	dead, err := mu.Lock(ctx, deadline)
	switch {
	case errors.Is(err, shm.ErrTimeout):
		return false
	case err != nil:
		panic(fmt.Errorf("mp: %s: %w", op, err))
	}
	if dead != 0 {
		warn(fmt.Sprintf("mp: %s: process %d died holding this lock; it was released (what it protected may be half-updated)\n", what, dead))
	}
	return true
}

// warn writes a warning where the notebook shows it: the running cell's
// stderr in the kernel, the process's stderr in a child (which mp forwards
// to the notebook).
func warn(msg string) {
	if h := currentHost(); h != nil {
		if out := h.Cell().Output; out != nil {
			out.Stream("stderr", msg)
			return
		}
	}
	os.Stderr.WriteString(msg)
}

// deadlineOf reads an optional timeout: none means wait without limit
// (zero deadline), one of zero or less means try once.
func deadlineOf(op string, timeout []time.Duration) (deadline time.Time, once bool) {
	switch len(timeout) {
	case 0:
		return time.Time{}, false
	case 1:
		if timeout[0] <= 0 {
			return time.Time{}, true
		}
		return time.Now().Add(timeout[0]), false
	}
	panic(fmt.Errorf("mp: %s: give at most one timeout, as %s(2 * time.Second)", op, op))
}

// interrupting reports whether the running cell is being interrupted: a
// deferred release that then finds its lock free must not turn the
// interrupt into another panic.
func interrupting() bool { return cellContext().Err() != nil }

// allocShared allocates size bytes of shared memory for a new object.
func allocShared(op string, size int) (*shm.Region, shm.Ref) {
	r := mustRegion(op)
	ref, err := allocRetrying(func() (shm.Ref, error) { return r.Alloc(size) })
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w%s", op, err, limitHint(err, "lock, semaphore or event")))
	}
	return r, ref
}

// goroutineID is the running goroutine's id, read from the header of its
// stack trace ("goroutine 18 [running]:"): Go does not expose it, and an
// RLock must know which goroutine holds it.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic(fmt.Errorf("mp: reading the goroutine's id: %w", err))
	}
	return id
}
