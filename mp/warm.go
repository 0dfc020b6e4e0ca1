package mp

import (
	"context"
	"sync"
)

// warmPool keeps one idle child ready for the next Start. Starting a child
// costs an exec, the interpreter's setup and the replay of the session's
// declarations (some 10 ms); an idle child has paid that in the
// background, so Start only sends it the globals, the target and the
// arguments. The pool is filled after each Start (and by Prewarm), and the
// idle child is sent the session as it is then; a Start that finds the
// session changed sends the new one first.
type warmPool struct {
	mu   sync.Mutex
	next *warmChild // being spawned or idle; nil when there is none
}

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

// fill makes sure there is an idle child and that it has (or is being
// sent) the session src. Its work is done by one goroutine that ends once
// the child is spawned and the session written.
func (p *warmPool) fill(src *sessionSource, digest [32]byte, pipes bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
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

// empty ends the idle child, if any, and returns once it is reaped.
func (p *warmPool) empty() {
	if c := p.take(); c != nil {
		c.discard()
	}
}
