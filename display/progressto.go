package display

import (
	"time"

	"gomp/backend"
)

// NewProgressTo is NewProgress drawing into out instead of the running
// cell's output: work that outlives the call that began it (a pool's map,
// whose results arrive in other goroutines) draws into the cell it belongs
// to. A nil out is the running cell's output, as NewProgress draws.
func NewProgressTo(out backend.Output, total int) *Progress {
	p := &Progress{h: &Handle{out: out}, start: time.Now(), total: total}
	p.mu.Lock()
	p.drawLocked()
	p.mu.Unlock()
	return p
}
