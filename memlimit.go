package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"gomp/mp"
)

// A process that runs cells (the session, mp's children) gets a soft memory
// limit below its control group's: when a cell's garbage (a goroutine
// flood, a growing slice's old arrays) brings the process near it, the
// collector works harder instead of letting the heap grow into the
// out-of-memory killer, whose SIGKILL ends the session without a word. A
// cell whose live data exceeds it still dies, but of the allocation that
// crossed the group's limit.

// memorySoftLimit is the soft limit for a process in a group limited to
// l: 7/8 of the group's limit, the rest left to the kernel process, the
// session's other processes and the page cache the group is charged for.
// false when the group has no memory limit.
func memorySoftLimit(l mp.Limits) (int64, bool) {
	if l.MemoryMax <= 0 {
		return 0, false
	}
	return l.MemoryMax - l.MemoryMax/8, true
}

// useCgroupMemoryLimit sets the soft limit from this process's control
// group, unless GOMEMLIMIT set one, and says what it did for the log.
func useCgroupMemoryLimit() string {
	if v := os.Getenv("GOMEMLIMIT"); v != "" {
		return "memory soft limit from GOMEMLIMIT=" + v
	}
	l := mp.CgroupLimits()
	soft, ok := memorySoftLimit(l)
	if !ok {
		return "no memory soft limit: the control group sets no memory limit"
	}
	debug.SetMemoryLimit(soft)
	stack := maxStackFor(soft)
	debug.SetMaxStack(int(stack))
	return fmt.Sprintf("memory soft limit %d MiB, 7/8 of the control group's %d MiB (%s); goroutine stacks at most %d MiB", soft>>20, l.MemoryMax>>20, l, stack>>20)
}

// maxStackFor is the largest goroutine stack for a soft limit of soft
// bytes: Go's 1 GB, or a quarter of the limit if less. An endless
// recursion then ends in Go's "stack overflow", which names the cell's
// mistake, rather than in the out-of-memory killer's SIGKILL: a stack
// grows by doubling, and a 1 GB one needs another 512 MB while it is
// copied, more than a small group has.
func maxStackFor(soft int64) int64 {
	return min(1e9, soft/4)
}
