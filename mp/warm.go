package mp

import (
	"context"
	"sync"
	"time"
)

// warmPool keeps one idle child ready for the next Start. Starting a child
// costs an exec, the interpreter's setup and the replay of the session's
// declarations (10 to 30 ms of CPU); an idle child has paid that in the
// background, so Start only sends it the globals, the target and the
// arguments. The pool is refilled after each Start (and by Prewarm), and
// the idle child is sent the session as it is then; a Start that finds the
// session changed sends the new one first.
//
// The refill waits until the started child has ended, or refillDelay:
// building a child takes a CPU for that long, and on a machine with two
// the started child would share one with its parent instead of having it.
// A Start that finds no idle child spawns one itself.
type warmPool struct {
	mu    sync.Mutex
	next  *warmChild // being spawned or idle; nil when there is none
	epoch int        // bumped by empty: a refill from before it is dropped
}

// refillDelay bounds how long a refill waits for the started child to end.
const refillDelay = 50 * time.Millisecond

// warmChild is an idle child, or one still being spawned.
type warmChild struct {
	ready chan struct{} // closed once c or err is set
	c     *childProc
	err   error
}

// take returns the idle child, waiting for its spawn if it is under way;
// nil when there is none or it is unusable.
func (p *warmPool) take() *childProc {
	p.mu.Lock()
	w := p.next
	p.next = nil
	p.mu.Unlock()
	if w == nil {
		return nil
	}
	<-w.ready
	if w.err != nil {
		return nil
	}
	if !w.c.alive() {
		<-w.c.done
		return nil
	}
	return w.c
}

// refillAfter fills the pool once the started child c has ended, or after
// refillDelay; it is a goroutine of launch's that ends then.
func (p *warmPool) refillAfter(c *childProc, epoch int, src *sessionSource, digest [32]byte, pipes bool) {
	t := time.NewTimer(refillDelay)
	defer t.Stop()
	select {
	case <-c.exited:
	case <-t.C:
	}
	p.fill(epoch, src, digest, pipes)
}

func (p *warmPool) currentEpoch() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.epoch
}

// fill makes sure there is an idle child and that it has (or is being
// sent) the session src, unless the pool was emptied since epoch. Its
// work is done by one goroutine that ends once the child is spawned and
// the session written.
func (p *warmPool) fill(epoch int, src *sessionSource, digest [32]byte, pipes bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.epoch != epoch {
		return
	}
	if w := p.next; w != nil {
		go w.sendSession(src, digest)
		return
	}
	w := &warmChild{ready: make(chan struct{})}
	p.next = w
	go func() {
		c, err := spawnChild(pipes)
		if err == nil {
			err = c.boot.sendSession(context.Background(), src, digest)
			if err != nil {
				c.discard()
				c = nil
			}
		}
		w.c, w.err = c, err
		close(w.ready)
	}()
}

// sendSession sends an idle child a new session (once it is spawned).
func (w *warmChild) sendSession(src *sessionSource, digest [32]byte) {
	<-w.ready
	if w.err == nil {
		// An error means the child is gone; take finds that out.
		_ = w.c.boot.sendSession(context.Background(), src, digest)
	}
}

// empty ends the idle child, if any, and returns once it is reaped;
// refills planned before are dropped.
func (p *warmPool) empty() {
	p.mu.Lock()
	p.epoch++
	p.mu.Unlock()
	if c := p.take(); c != nil {
		c.discard()
	}
}
