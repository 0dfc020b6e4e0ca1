package mp

import (
	"log"
	"net"
	"sync"
	"time"
)

// authGuard is what a manager server does about peers that fail to prove the
// key: it delays their verdict, refuses their address's next attempts for a
// while (the delay and the hold both double with each failure in a row, up
// to a bound), logs them (one line a second at most, with a count of the
// rest) and bounds how many connections may be unauthenticated at once.
// Without it a peer could try thousands of keys a second against a key a
// person chose.
type authGuard struct {
	base, most time.Duration // the first failure's backoff, and the bound
	logf       func(format string, args ...any)
	slots      chan struct{} // one per connection not yet authenticated

	mu         sync.Mutex
	peers      map[string]*peerRecord
	lastLog    time.Time
	suppressed int
}

type peerRecord struct {
	failures int
	until    time.Time // refused before this
}

const (
	authBackoffBase = 100 * time.Millisecond
	// authBackoffMost is below the client's handshake deadline, so that
	// even a delayed refusal reaches it as a refusal.
	authBackoffMost = 5 * time.Second
	// maxUnauthenticated is how many connections may be in their
	// handshake at once; more are closed at once.
	maxUnauthenticated = 64
	// maxPeerRecords bounds the addresses remembered; expired ones go
	// first.
	maxPeerRecords = 4096
)

func newAuthGuard() *authGuard {
	return &authGuard{
		base:  authBackoffBase,
		most:  authBackoffMost,
		logf:  log.Printf,
		slots: make(chan struct{}, maxUnauthenticated),
		peers: map[string]*peerRecord{},
	}
}

// setBackoff changes the backoff (tests make it short).
func (g *authGuard) setBackoff(base, most time.Duration) {
	g.mu.Lock()
	g.base, g.most = base, most
	g.mu.Unlock()
}

// setLog changes where the guard logs (tests read it).
func (g *authGuard) setLog(logf func(format string, args ...any)) {
	g.mu.Lock()
	g.logf = logf
	g.mu.Unlock()
}

// admit takes a slot for a connection about to authenticate, false when
// every slot is taken; release gives it back.
func (g *authGuard) admit() bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
		g.report("refused a connection: %d are authenticating already", cap(g.slots))
		return false
	}
}

func (g *authGuard) release() { <-g.slots }

// peerAddress is what the guard counts failures by: the host of a TCP
// peer (its ports are free to choose), "local" for a Unix socket's.
func peerAddress(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return "local"
}

// lockedFor is how long addr's attempts are still refused.
func (g *authGuard) lockedFor(addr string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p := g.peers[addr]; p != nil {
		return time.Until(p.until)
	}
	return 0
}

// failed records a failed attempt of addr and returns how long to delay
// its refusal; addr is refused until twice that from now (its refusal
// comes after the delay, so it is held back for as long again).
func (g *authGuard) failed(addr, why string) time.Duration {
	g.mu.Lock()
	p := g.peers[addr]
	if p == nil {
		g.forgetExpiredLocked()
		p = &peerRecord{}
		g.peers[addr] = p
	}
	p.failures++
	delay := g.most
	if shift := p.failures - 1; shift < 30 && g.base<<shift < g.most {
		delay = g.base << shift
	}
	p.until = time.Now().Add(2 * delay)
	failures := p.failures
	g.mu.Unlock()
	g.report("refused %s: %s (failure %d in a row; it waits %v)", addr, why, failures, delay)
	return delay
}

// refused logs a peer turned away for a reason that is not a guess.
func (g *authGuard) refused(addr, why string) { g.report("refused %s: %s", addr, why) }

// succeeded forgets addr's failures.
func (g *authGuard) succeeded(addr string) {
	g.mu.Lock()
	delete(g.peers, addr)
	g.mu.Unlock()
}

// forgetExpiredLocked drops the records whose hold is over once the table
// is full, then the oldest holds if it still is.
func (g *authGuard) forgetExpiredLocked() {
	if len(g.peers) < maxPeerRecords {
		return
	}
	now := time.Now()
	for a, p := range g.peers {
		if p.until.Before(now) {
			delete(g.peers, a)
		}
	}
	for a := range g.peers { // map order: any
		if len(g.peers) < maxPeerRecords {
			break
		}
		delete(g.peers, a)
	}
}

// report logs one line a second at most, saying how many it left out.
func (g *authGuard) report(format string, args ...any) {
	g.mu.Lock()
	now := time.Now()
	if now.Sub(g.lastLog) < time.Second {
		g.suppressed++
		g.mu.Unlock()
		return
	}
	left, logf := g.suppressed, g.logf
	g.lastLog, g.suppressed = now, 0
	g.mu.Unlock()
	if left > 0 {
		format += " (and %d more since the last report)"
		args = append(args, left)
	}
	logf("mp manager: "+format, args...)
}
