package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"time"
)

// Admission: what a peer that does not know the key can make the kernel
// hold. A Jupyter message's signature covers its content, so nothing can be
// checked before the whole message is in; what can be bounded is how much
// is held meanwhile:
//
//   - each request socket takes at most maxConnections connections (more
//     are closed as they come), each with one message in progress;
//   - a message's first preAuthAllowance bytes are free; every byte past
//     them is reserved from the kernel's unverifiedBudget, shared by every
//     connection of every request socket, before it is read, and given back
//     once the message's signature has been checked (or the message
//     dropped). A connection whose reservation does not fit waits, reading
//     nothing (TCP then holds the peer back), until it fits or its message's
//     deadline passes;
//   - before a message's head (the delimiter, a signature and a header
//     that is a JSON object) has arrived, no frame may be larger than
//     maxHeadFrame, so that a peer cannot announce a large frame with
//     nothing Jupyter-like in front of it;
//   - a message must arrive within messageTimeout of its first byte, plus
//     the time its reserved bytes take at minMessageRate.
//
// So unverified data never exceeds maxConnections × preAuthAllowance per
// socket plus unverifiedBudget in all, whatever the number of peers, while a
// client with the key can still send a message up to maxRouterMessage (a
// large cell). A large message, once handled, has its memory given back to
// the operating system (memoryReturner).
const (
	maxConnections   = 64
	preAuthAllowance = 64 << 10
	maxHeadFrame     = 64 << 10
	unverifiedBudget = 128 << 20
	messageTimeout   = 10 * time.Second
	minMessageRate   = 4 << 20 // bytes per second
)

// byteBudget is a counting semaphore of bytes, granted in the order asked.
type byteBudget struct {
	capacity int64

	mu      sync.Mutex
	used    int64
	waiters []*budgetWaiter
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed when granted
}

func newByteBudget(capacity int64) *byteBudget { return &byteBudget{capacity: capacity} }

var errBudgetTimeout = errors.New("the kernel holds its limit of unverified data, and it did not free in time")

// acquire reserves n bytes, n at most the capacity, waiting until they fit
// behind earlier requests, or until deadline passes or done is closed.
func (b *byteBudget) acquire(n int64, deadline time.Time, done <-chan struct{}) error {
	if n > b.capacity {
		return fmt.Errorf("%d bytes are more than the %d the kernel holds unverified", n, b.capacity)
	}
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+n <= b.capacity {
		b.used += n
		b.mu.Unlock()
		return nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()

	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	var err error
	select {
	case <-w.ready:
		return nil
	case <-t.C:
		err = errBudgetTimeout
	case <-done:
		err = net.ErrClosed
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // granted meanwhile: give it back
		b.used -= n
		b.grantLocked()
	default:
		for i, x := range b.waiters {
			if x == w {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
		b.grantLocked() // the next in line may fit now
	}
	return err
}

// release gives back n bytes.
func (b *byteBudget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.grantLocked()
}

// grantLocked grants the waiters at the head of the line that fit.
func (b *byteBudget) grantLocked() {
	for len(b.waiters) > 0 && b.used+b.waiters[0].n <= b.capacity {
		w := b.waiters[0]
		b.waiters = b.waiters[1:]
		b.used += w.n
		close(w.ready)
	}
}

// inUse is the number of bytes reserved.
func (b *byteBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// headArrived reports whether frames begin like a Jupyter message: routing
// identities, the delimiter, a signature (any bytes: with an empty key the
// kernel does not look at it) and a header that is a JSON object. Only then
// may a large frame follow.
func headArrived(frames [][]byte) bool {
	d := -1
	for i, f := range frames {
		if bytes.Equal(f, delimiter) {
			d = i
			break
		}
	}
	if d < 0 || len(frames) < d+3 {
		return false
	}
	header := bytes.TrimLeft(frames[d+2], " \t\r\n")
	return len(header) > 0 && header[0] == '{'
}

// spareBuffer keeps the buffer of one large frame that was dropped unverified
// for the next large frame to reuse. Without it, a peer sending large
// unsigned messages one after the other would have the kernel allocate each
// anew while the last is garbage not yet collected (with the interpreter's
// GOGC, several hundred MiB of it); with it, they share one buffer. A
// buffer is reused only for a frame at least half its size, so that a small
// message never keeps a large buffer alive. The memory returner empties it.
type spareBuffer struct {
	mu  sync.Mutex
	buf []byte
	// kept, when set, is called after a buffer is kept: the kernel then
	// schedules a memory return, which will let it go.
	kept func()
}

// onKept sets what is called after a buffer is kept.
func (s *spareBuffer) onKept(f func()) {
	s.mu.Lock()
	s.kept = f
	s.mu.Unlock()
}

// get returns a buffer of n bytes: the spare, when it fits, or a new one.
func (s *spareBuffer) get(n int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buf; b != nil && cap(b) >= n && cap(b) <= 2*n {
		s.buf = nil
		return b[:n]
	}
	return make([]byte, n)
}

// put offers b, which nothing refers to any more, for reuse.
func (s *spareBuffer) put(b []byte) {
	if cap(b) < largeMessage {
		return
	}
	s.mu.Lock()
	s.buf = b[:0]
	kept := s.kept
	s.mu.Unlock()
	if kept != nil {
		kept()
	}
}

// drop lets the spare go.
func (s *spareBuffer) drop() {
	s.mu.Lock()
	s.buf = nil
	s.mu.Unlock()
}

// largeMessage is the size from which a message's memory is given back to
// the operating system once it is handled: the collector would otherwise
// keep the heap it grew to (with the interpreter's GOGC, a long while).
const largeMessage = 16 << 20

// returnInterval is the least time between two returns, which each cost a
// full collection: a peer sending large messages cannot make the kernel do
// nothing else.
const returnInterval = 2 * time.Second

// memoryReturner gives memory back to the operating system after large
// messages: at once, or, within returnInterval of the last time, once the
// interval has passed. Its one timer is stopped, and a return under way
// waited for, by stop.
type memoryReturner struct {
	spare *spareBuffer // emptied before each return

	mu      sync.Mutex
	last    time.Time
	timer   *time.Timer // a return to come
	stopped bool
	running sync.WaitGroup
}

// soon schedules a return.
func (m *memoryReturner) soon() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped || m.timer != nil {
		return
	}
	m.running.Add(1)
	m.timer = time.AfterFunc(max(0, returnInterval-time.Since(m.last)), m.run)
}

func (m *memoryReturner) run() {
	defer m.running.Done()
	m.mu.Lock()
	m.timer = nil // a message dropped from now on schedules the next return
	m.last = time.Now()
	m.mu.Unlock()
	if m.spare != nil {
		m.spare.drop()
	}
	debug.FreeOSMemory()
}

// stop cancels a return to come and waits for one under way.
func (m *memoryReturner) stop() {
	m.mu.Lock()
	m.stopped = true
	if m.timer != nil && m.timer.Stop() {
		m.timer = nil
		m.running.Done()
	}
	m.mu.Unlock()
	m.running.Wait()
}
