package eval

import (
	"runtime/debug"
	"sync"
	"time"
)

// idleGCDelay is how long the session waits after a cell before it gives
// the memory its cells freed back to the system.
const idleGCDelay = 500 * time.Millisecond

// idleCollector returns the memory cells freed to the system once the
// session has been idle for idleGCDelay. The interpreter runs with a lazy
// collector (GOGC=300, which makes a trivial cell about twice as fast), so
// its heap would keep the high-water mark of the last cells until the next
// one; on a classroom's server most kernels sit idle most of the time. The
// collection waits for a quiet moment, never for a cell: a cell that starts
// first cancels it.
type idleCollector struct {
	mu     sync.Mutex
	timer  *time.Timer
	closed bool
	busy   func() bool // a cell is running
}

// cellEnded (re)starts the wait.
func (c *idleCollector) cellEnded() {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
	case c.timer == nil:
		c.timer = time.AfterFunc(idleGCDelay, c.collect)
	default:
		c.timer.Reset(idleGCDelay)
	}
}

// cellStarted cancels a pending collection.
func (c *idleCollector) cellStarted() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
}

func (c *idleCollector) collect() {
	if c.busy() {
		return
	}
	debug.FreeOSMemory()
}

// close stops it for good.
func (c *idleCollector) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
	}
}
