package shm

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// Mutex is a lock in shared memory, held by a process: its word is 0 when
// free, or the holder's pid with waitersBit set when someone may be asleep
// on it. Any goroutine of any process may unlock it (Python's Lock has no
// owner for release either); the pid is there so that a waiter can tell when
// the holder died and take the lock over, which is how a process killed
// inside a critical section does not hang every other one forever (Python's
// would).
type Mutex struct{ word *uint32 }

const waitersBit = 1 << 31

// livenessInterval is how often a waiter looks whether the holder is
// still alive.
const livenessInterval = 100 * time.Millisecond

// ErrNotLocked is Unlock of a free mutex.
var ErrNotLocked = errors.New("release of an unlocked lock")

// MutexAt is the mutex whose word is at w (4 bytes of the region, aligned).
func MutexAt(w *uint32) Mutex { return Mutex{word: w} }

var selfPid = uint32(os.Getpid())

// TryLock takes the mutex if it is free.
func (m Mutex) TryLock() bool {
	return atomic.CompareAndSwapUint32(m.word, 0, selfPid)
}

// Lock takes the mutex, waiting until it is free, until the deadline (zero:
// none; then ErrTimeout), or until ctx is done (its error). recovered is
// the pid of a holder that died holding it, which this call took over from
// (0 normally): what it guarded may be half-updated.
func (m Mutex) Lock(ctx context.Context, deadline time.Time) (recovered int, err error) {
	if m.TryLock() || m.spin() {
		return 0, nil
	}
	mark := uint32(0) // waitersBit once this call has slept: wakes must go on
	for {
		v := atomic.LoadUint32(m.word)
		if v == 0 {
			if atomic.CompareAndSwapUint32(m.word, 0, selfPid|mark) {
				return 0, nil
			}
			continue
		}
		if v&waitersBit == 0 {
			if !atomic.CompareAndSwapUint32(m.word, v, v|waitersBit) {
				continue
			}
			v |= waitersBit
		}
		if holder := v &^ waitersBit; holder != selfPid && !Alive(int(holder)) {
			if atomic.CompareAndSwapUint32(m.word, v, selfPid|waitersBit) {
				return int(holder), nil
			}
			continue
		}
		if err := Wait(ctx, m.word, v, deadline, livenessInterval); err != nil {
			return 0, err
		}
		mark = waitersBit
	}
}

// spinRounds and spinLoads bound how long a contended Lock busy-waits
// before it sleeps: about a microsecond or two. The holder is usually
// another process in a short critical section (a few statements of a
// cell), which lets go well within that; sleeping on the futex and being
// woken costs the holder a wake syscall and the waiter two context
// switches, several microseconds each, and made two processes taking one
// lock in turn five times slower than either alone. With one CPU the
// holder cannot run while we spin, so there is no spinning.
const (
	spinRounds = 256
	spinLoads  = 16
)

var multiCPU = runtime.NumCPU() > 1

// spin tries to take the mutex while it busy-waits a little; false when
// it is still held after that.
func (m Mutex) spin() bool {
	if !multiCPU {
		return false
	}
	for range spinRounds {
		for range spinLoads {
			if atomic.LoadUint32(m.word) == 0 {
				break
			}
		}
		if atomic.LoadUint32(m.word) == 0 && atomic.CompareAndSwapUint32(m.word, 0, selfPid) {
			return true
		}
	}
	return false
}

// Unlock frees the mutex and wakes one waiter.
func (m Mutex) Unlock() error {
	old := atomic.SwapUint32(m.word, 0)
	if old == 0 {
		return ErrNotLocked
	}
	if old&waitersBit != 0 {
		Wake(m.word, 1)
	}
	return nil
}

// Holder is the pid of the process holding the mutex, 0 when free.
func (m Mutex) Holder() int { return int(atomic.LoadUint32(m.word) &^ waitersBit) }

// Alive reports whether a process with this pid exists. A zombie counts as
// alive until reaped; mp reaps its children as soon as they end.
func Alive(pid int) bool {
	return syscall.Kill(pid, 0) != syscall.ESRCH
}
