package mp

import (
	"fmt"
	"os"
	"syscall"
)

// The pool channel is a second socket pair between a parent and each child
// it spawns (the child's fd 4), made at spawn so that a warm child can
// become a Pool's worker. A Pool sends tasks on it and the worker answers
// with results (poolwire.go); a child that runs a Process closes its end at
// once, and its parent's end is closed when the child is reaped.

// poolFD is the child's end of the pool channel (ExtraFiles[1]).
const poolFD = 4

// poolSocketPair makes a pool channel: the parent's end is non-blocking
// (Go's poller serves it, so Close ends a blocked read), the child's is its
// fd 4.
func poolSocketPair() (parent, child *os.File, err error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("making a child's pool socket: %w", err)
	}
	if err := syscall.SetNonblock(fds[0], true); err != nil {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return nil, nil, fmt.Errorf("making a child's pool socket: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "mp-pool"), os.NewFile(uintptr(fds[1]), "mp-pool"), nil
}

// closeTasksUnlessPooled closes the parent's end of the pool channel of a
// child that was no Pool's worker (a Pool closes its own, once it has read
// every result).
func (c *childProc) closeTasksUnlessPooled() {
	c.mu.Lock()
	pooled := c.pooled
	c.mu.Unlock()
	if !pooled {
		c.tasks.Close()
	}
}

// closePoolChannel closes a Process child's end of the pool channel, which
// it does not use.
func closePoolChannel() { syscall.Close(poolFD) }
