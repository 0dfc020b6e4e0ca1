package mp

import (
	"context"
	"sync"
	"time"
)

// warmPool keeps idle children ready for the next Starts. Starting a child
// costs an exec, the interpreter's setup and the replay of the session's
// declarations (20 to 30 ms of CPU, measured in bench/README.md); an idle
// child has paid that in the background, so Start only sends it the
// globals, the target and the arguments, which takes about as long as
// CPython's fork.
//
// How many are kept follows the recent start rate: as many as Starts
// were made in one rateWindow at the most since the pool last shrank, at
// least one, at most warmCap: the
// memory budget of maxWarm children (each idle child costs about 7 MiB of
// private memory, so at most about 230 MiB, and only while the notebook
// starts more than 32 processes a second), no more than an eighth of the
// control group's memory limit, one per 64 of its pids, and no more than
// half the process budget.
// A loop that starts processes one after the other is then served by warm
// children for up to that many Starts in a row before it waits for
// builds. After idleTrim without a Start, the pool shrinks back to one.
//
// Children are built one at a time by one builder goroutine, each only
// once the previous one said it has compiled its session (a ready report
// on its bootstrap channel): on a machine with two CPUs, building several
// at once would take the CPUs that the started children and their parent
// need. The builder begins after the started child has ended, or
// refillDelay after its Start, and each build waits for a pause of
// quietGap in the Starts: a loop that starts processes back to back is
// served by the idle children at full speed, and the pool is refilled
// once it pauses (or, once they are used up, while each Start waits for
// a child of its own). A child process (a child starting its own
// children) keeps at most one idle child.
//
// When the session changes, the pool's size starts again from the Starts
// of the last rateWindow; the idle children it keeps are sent the new
// session (by the builder, one at a time too) and the others are ended. A
// Start that finds a child with an older session sends the new one first.
type warmPool struct {
	mu       sync.Mutex
	idle     []*childProc // spawned and sent a session, oldest first
	building bool         // the builder goroutine runs
	epoch    int          // bumped by empty: a builder from before it stops
	starts   []time.Time  // the Starts of the last rateWindow, oldest first
	peak     int          // the most Starts in a rateWindow since the pool last shrank
	last     time.Time    // the last Start
	src      *sessionSource
	digest   [32]byte
	pipes    bool
	trim     *time.Timer   // shrinks the pool after idleTrim without a Start
	stop     chan struct{} // closed by empty: the builder stops
	built    chan struct{} // closed when the builder has ended
}

const (
	// refillDelay bounds how long the builder waits for a started child to
	// end before it builds.
	refillDelay = 50 * time.Millisecond
	// quietGap is the pause in Starts a build waits for: Starts served by
	// idle children come about 1.5 ms apart.
	quietGap = 5 * time.Millisecond
	// rateWindow is how far back Starts count for the pool's size.
	rateWindow = time.Second
	// maxWarm bounds the kernel's idle children.
	maxWarm = 32
	// warmChildBytes is what an idle child costs, rounded up from the
	// USS bench/mp.py measures (6.8 to 7.2 MiB).
	warmChildBytes = 8 << 20
	// idleTrim is how long the pool keeps more than one idle child
	// without a Start.
	idleTrim = 30 * time.Second
	// readyWait bounds how long the builder waits for a child's ready
	// report before it builds the next one.
	readyWait = 2 * time.Second
)

// take returns an idle child, preferring one that has compiled the
// session digest; nil when there is none alive. It counts a Start for the
// pool's size.
func (p *warmPool) take(digest [32]byte) *childProc {
	now := time.Now()
	p.mu.Lock()
	p.starts, p.last = append(p.starts, now), now
	p.forgetOldStartsLocked(now)
	p.peak = max(p.peak, len(p.starts))
	var dead []*childProc
	pick := -1
	for i, c := range p.idle {
		if !c.alive() {
			dead = append(dead, c)
			continue
		}
		if pick < 0 {
			pick = i
		}
		if c.boot.builtSession(digest) {
			pick = i
			break
		}
	}
	var c *childProc
	if pick >= 0 {
		c = p.idle[pick]
	}
	kept := p.idle[:0]
	for _, x := range p.idle {
		if x != c && x.alive() {
			kept = append(kept, x)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	if p.trim != nil {
		p.trim.Reset(idleTrim)
	}
	p.mu.Unlock()
	for _, d := range dead {
		<-d.done
	}
	return c
}

func (p *warmPool) forgetOldStartsLocked(now time.Time) {
	i := 0
	for i < len(p.starts) && now.Sub(p.starts[i]) > rateWindow {
		i++
	}
	p.starts = append(p.starts[:0], p.starts[i:]...)
}

// wantLocked is how many idle children the pool keeps, at most limit
// (warmCap).
func (p *warmPool) wantLocked(limit int) int {
	return min(max(p.peak, 1), limit)
}

// warmCap is the most idle children this process keeps (see warmPool).
func warmCap() int {
	if selfIdentity().child {
		return 1
	}
	n := min(maxWarm, max(MaxProcesses()/2, 1))
	l := cgroupLimits()
	if l.MemoryMax > 0 {
		n = min(n, max(int(l.MemoryMax/8/warmChildBytes), 1))
	}
	if l.PidsMax > 0 {
		// A Go process has several threads, each counted as a pid.
		n = min(n, max(int(l.PidsMax/64), 1))
	}
	return n
}

// cgroupLimits are the control group's limits, read once.
var cgroupLimits = sync.OnceValue(CgroupLimits)

func (p *warmPool) currentEpoch() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.epoch
}

// refillAfter has the pool refilled once the started child c has ended,
// or after refillDelay.
func (p *warmPool) refillAfter(c *childProc, epoch int, src *sessionSource, digest [32]byte, pipes bool) {
	p.fill(epoch, src, digest, pipes, c.exited)
}

// fill makes sure the pool holds as many idle children as it wants, each
// with (or being sent) the session src, unless the pool was emptied since
// epoch. The builder starts once after is closed or refillDelay has
// passed (nil after: at once).
func (p *warmPool) fill(epoch int, src *sessionSource, digest [32]byte, pipes bool, after <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.epoch != epoch {
		return
	}
	if p.src != nil && p.digest != digest {
		// The notebook changed its declarations: the rate it started
		// processes at before says little about the new session, and
		// every idle child would have to compile it again.
		p.forgetOldStartsLocked(time.Now())
		p.peak = len(p.starts)
	}
	p.src, p.digest, p.pipes = src, digest, pipes
	if p.trim == nil {
		p.trim = time.AfterFunc(idleTrim, p.shrink)
	}
	if p.building {
		return // the builder looks at the session before each build
	}
	p.building = true
	p.stop, p.built = make(chan struct{}), make(chan struct{})
	go p.build(epoch, after, p.stop, p.built)
}

// build is the builder goroutine: it sends the current session to idle
// children that have an older one, and spawns children until the pool
// holds as many as it wants; then it ends (fill starts another).
func (p *warmPool) build(epoch int, after, stop <-chan struct{}, built chan<- struct{}) {
	defer close(built)
	if after != nil {
		t := time.NewTimer(refillDelay)
		select {
		case <-after:
		case <-t.C:
		case <-stop:
		}
		t.Stop()
	}
	for {
		if !p.awaitQuiet(stop) {
			return
		}
		limit := warmCap()
		p.mu.Lock()
		if p.epoch != epoch {
			p.mu.Unlock()
			return // empty took over: building is its to reset
		}
		src, digest, pipes := p.src, p.digest, p.pipes
		var stale *childProc
		for _, c := range p.idle {
			if c.alive() && !c.boot.hasSession(digest) {
				stale = c
				break
			}
		}
		want := p.wantLocked(limit)
		if stale == nil && len(p.idle) >= want {
			p.building = false
			p.mu.Unlock()
			return
		}
		surplus := len(p.idle) > want
		p.mu.Unlock()
		if stale != nil && surplus {
			p.drop(stale) // one more than wanted: not worth compiling again
			continue
		}

		c := stale
		if c != nil {
			select {
			case <-c.boot.built: // a ready report for its older session
			default:
			}
			if c.boot.sendSession(context.Background(), src, digest) != nil {
				p.drop(c) // it is gone
				continue
			}
		} else {
			var err error
			if c, err = spawnChild(pipes); err != nil {
				p.mu.Lock()
				if p.epoch == epoch {
					p.building = false
				}
				p.mu.Unlock()
				return // the next Start spawns its own, and says why if it fails too
			}
			if err := c.boot.sendSession(context.Background(), src, digest); err != nil {
				c.discard()
				p.mu.Lock()
				if p.epoch == epoch {
					p.building = false
				}
				p.mu.Unlock()
				return // a child that dies at once: the next Start finds out why
			}
			p.mu.Lock()
			if p.epoch != epoch {
				p.mu.Unlock()
				c.discard()
				return
			}
			p.idle = append(p.idle, c)
			p.mu.Unlock()
		}
		// One build at a time: wait until this child has compiled.
		t := time.NewTimer(readyWait)
		select {
		case <-c.boot.built:
		case <-c.exited:
		case <-t.C:
		case <-stop:
		}
		t.Stop()
	}
}

// awaitQuiet waits until no Start came for quietGap; false when the pool
// is emptied meanwhile.
func (p *warmPool) awaitQuiet(stop <-chan struct{}) bool {
	for {
		p.mu.Lock()
		wait := quietGap - time.Since(p.last)
		p.mu.Unlock()
		if wait <= 0 {
			return true
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-stop:
			t.Stop()
			return false
		}
	}
}

// drop removes c from the idle children and ends it.
func (p *warmPool) drop(c *childProc) {
	p.mu.Lock()
	for i, x := range p.idle {
		if x == c {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
	c.discard()
}

// shrink ends the idle children beyond one after idleTrim without a
// Start (the timer's goroutine; it ends once they are reaped).
func (p *warmPool) shrink() {
	p.mu.Lock()
	p.peak = 0
	var extra []*childProc
	if len(p.idle) > 1 {
		extra = append(extra, p.idle[1:]...)
		clear(p.idle[1:])
		p.idle = p.idle[:1]
	}
	p.mu.Unlock()
	for _, c := range extra {
		c.discard()
	}
}

// empty ends the idle children and returns once they are reaped; a
// builder at work stops.
func (p *warmPool) empty() {
	p.mu.Lock()
	p.epoch++
	idle := p.idle
	p.idle = nil
	p.starts, p.peak = nil, 0
	if p.trim != nil {
		p.trim.Stop()
		p.trim = nil
	}
	var built chan struct{}
	if p.building {
		close(p.stop)
		built = p.built
		p.building = false
	}
	p.mu.Unlock()
	if built != nil {
		<-built // it discards a child it was spawning
	}
	for _, c := range idle {
		c.discard()
	}
}

// idleCount is how many idle children the pool holds (for tests).
func (p *warmPool) idleCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}
