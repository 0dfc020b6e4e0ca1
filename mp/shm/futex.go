package shm

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Futex operations, without FUTEX_PRIVATE_FLAG: the words live in memory
// that other processes map, so the kernel must key waiters by the page, not
// by this process's address.
const (
	futexWait = 0
	futexWake = 1
)

// ErrTimeout is what a wait returns when its deadline passed.
var ErrTimeout = errors.New("timed out")

// Wait blocks while *addr holds val, until woken by Wake, until maxWait has
// passed (zero: no limit), until the deadline (zero: none), or until ctx is
// done. It returns ctx's error when ctx is done, ErrTimeout when the
// deadline passed, and nil otherwise: woken, the value changed, or maxWait
// elapsed. Wakes can be spurious, so callers re-check their condition in a
// loop; maxWait lets them look around (is a lock's owner still alive?)
// now and then.
func Wait(ctx context.Context, addr *uint32, val uint32, deadline time.Time, maxWait time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := maxWait
	if !deadline.IsZero() {
		left := time.Until(deadline)
		if left <= 0 {
			return ErrTimeout
		}
		if d == 0 || left < d {
			d = left
		}
	}
	// An interrupt must not wait for the futex to time out: wake every
	// waiter on the word (the others re-check and sleep again).
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { Wake(addr, math.MaxInt32) })
		defer stop()
	}
	var ts *syscall.Timespec
	if d > 0 {
		t := syscall.NsecToTimespec(int64(d))
		ts = &t
	}
	_, _, errno := syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWait,
		uintptr(val), uintptr(unsafe.Pointer(ts)), 0, 0)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errno == syscall.ETIMEDOUT && !deadline.IsZero() && !time.Now().Before(deadline):
		return ErrTimeout
	}
	return nil // woken, EAGAIN (value changed), EINTR, or maxWait over
}

// Wake wakes up to n waiters on addr and returns how many it woke.
func Wake(addr *uint32, n int) int {
	r, _, errno := syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWake,
		uintptr(n), 0, 0, 0)
	if errno != 0 {
		return 0
	}
	return int(r)
}

// WakeAll wakes every waiter on addr.
func WakeAll(addr *uint32) { Wake(addr, math.MaxInt32) }

// Bump adds one to a sequence word and wakes every waiter on it: the way to
// say "something changed, look again" to waiters that sampled the word.
func Bump(addr *uint32) {
	atomic.AddUint32(addr, 1)
	WakeAll(addr)
}
