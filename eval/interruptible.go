package eval

import (
	"context"
	"sync"
)

// A native blocking call does not notice yaegi stopping the interpreter: a
// cell stuck in sync.WaitGroup.Wait (a forgotten Done, the classic bug of a
// concurrency course) or sync.Mutex.Lock could not be interrupted. Cells get
// these stand-ins instead, with the same methods and zero values ready to
// use, whose waits also end when the running cell is interrupted. They
// implement the same contracts (sync.Locker for the mutex).

// WaitGroup is sync.WaitGroup for cells.
type WaitGroup struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n drops to 0; nil while n == 0
}

// Add adds delta to the counter; a negative counter panics, as sync's does.
func (wg *WaitGroup) Add(delta int) {
	wg.mu.Lock()
	defer wg.mu.Unlock()
	wg.n += delta
	switch {
	case wg.n < 0:
		panic("sync: negative WaitGroup counter")
	case wg.n == 0:
		if wg.zero != nil {
			close(wg.zero)
			wg.zero = nil
		}
	case wg.zero == nil:
		wg.zero = make(chan struct{})
	}
}

// Done decrements the counter by one.
func (wg *WaitGroup) Done() { wg.Add(-1) }

// Go calls f in a new goroutine and adds that task to the group (Go 1.25).
func (wg *WaitGroup) Go(f func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		f()
	}()
}

// Wait blocks until the counter is zero, or the running cell is interrupted.
func (wg *WaitGroup) Wait() {
	wg.mu.Lock()
	zero := wg.zero
	wg.mu.Unlock()
	if zero == nil {
		return
	}
	waitOrInterrupt(zero)
}

// Mutex is sync.Mutex for cells: Lock can be interrupted.
type Mutex struct {
	once sync.Once
	ch   chan struct{} // holds a token while unlocked
}

func (m *Mutex) init() {
	m.once.Do(func() {
		m.ch = make(chan struct{}, 1)
		m.ch <- struct{}{}
	})
}

// Lock locks m, waiting while it is locked, unless the cell is interrupted.
func (m *Mutex) Lock() {
	m.init()
	select {
	case <-m.ch:
		return
	default:
	}
	waitOrInterrupt(m.ch) // receiving takes the token: the lock is ours
}

// TryLock locks m if it is unlocked.
func (m *Mutex) TryLock() bool {
	m.init()
	select {
	case <-m.ch:
		return true
	default:
		return false
	}
}

// Unlock unlocks m; unlocking an unlocked mutex is a fatal error in sync and
// a panic here, except while a cell is being interrupted: a deferred Unlock
// then runs after a Lock that gave up, and must not turn the interrupt into
// a crash.
func (m *Mutex) Unlock() {
	m.init()
	select {
	case m.ch <- struct{}{}:
	default:
		if s, ctx, _ := runningCell(); ctx != nil && ctx.Err() != nil || s != nil && s.stopping() {
			return
		}
		panic("sync: unlock of unlocked mutex")
	}
}

// interruptSource is the session whose cells use these types: there is one
// session per process.
var interruptSource struct {
	mu sync.Mutex
	s  *Session
}

func setInterruptSource(s *Session) {
	interruptSource.mu.Lock()
	defer interruptSource.mu.Unlock()
	interruptSource.s = s
}

// waitOrInterrupt receives from ch (a closed channel, or a mutex's token),
// or returns on the running cell's interrupt, once the interpreter is
// stopped, as an interrupted time.Sleep does (a mutex is then not held: the
// stopped code will not use it).
func waitOrInterrupt(ch <-chan struct{}) {
	s, ctx, stopped := runningCell()
	if ctx == nil {
		<-ch
		return
	}
	select {
	case <-ch:
	case <-ctx.Done():
		s.noteStop()
		s.awaitStop(stopped)
	}
}

// runningCell returns the session, the running cell's context (nil between
// cells) and the channel closed once its interpreter is stopped.
func runningCell() (*Session, context.Context, chan struct{}) {
	interruptSource.mu.Lock()
	s := interruptSource.s
	interruptSource.mu.Unlock()
	if s == nil {
		return nil, nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s, s.runCtx, s.stopped
}

// stopping reports whether the running cell is being stopped.
func (s *Session) stopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopNoted
}
