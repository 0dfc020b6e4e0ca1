package display

import (
	"sync"
	"time"
)

// redrawInterval is the shortest time between two redraws of a progress bar.
// Ten a second looks smooth and keeps a loop of a million Add calls from
// sending a million messages to the frontend.
const redrawInterval = 100 * time.Millisecond

// A Progress is a progress bar that redraws itself in place. It is safe for
// concurrent use, so workers in many goroutines may share one.
//
//	p := display.NewProgress(len(files))
//	for _, f := range files {
//		process(f)
//		p.Add(1)
//	}
//
// Redraws are throttled: a change is drawn at once if the bar was not drawn
// in the last 100ms, else by a timer at the end of that interval. Reaching
// the total is drawn at once, so a finished bar always shows as finished.
type Progress struct {
	h     *Handle
	start time.Time

	mu       sync.Mutex
	total, n int
	dirty    bool      // n changed since the last draw
	lastDraw time.Time // when the bar was last drawn
	// timer is the pending redraw, nil when none. It is owned by the
	// Progress: it ends after firing once, or is stopped by Done or Flush.
	// timerGen tells a stale firing (one that Done already replaced) from
	// the current one.
	timer    *time.Timer
	timerGen uint64
}

// NewProgress shows a progress bar at 0 of total and returns it. A total of
// 0 or less means the total is unknown: the bar shows only the count.
func NewProgress(total int) *Progress {
	p := &Progress{h: NewHandle(), start: time.Now(), total: total}
	p.mu.Lock()
	p.drawLocked()
	p.mu.Unlock()
	return p
}

// Add advances the bar by n (which may be negative).
func (p *Progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.moveLocked(p.n + n)
}

// Set moves the bar to n.
func (p *Progress) Set(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.moveLocked(n)
}

// Done draws the current state now instead of at the end of the throttle
// interval. Call it when the work stops short of the total (an error, a
// break); a bar that reaches its total needs no Done.
func (p *Progress) Done() { p.flush() }

func (p *Progress) moveLocked(n int) {
	if n == p.n {
		return
	}
	finishing := p.total > 0 && p.n < p.total && n >= p.total
	p.n = n
	p.dirty = true
	switch {
	case finishing:
		p.stopTimerLocked()
		p.drawLocked()
	case p.timer != nil:
		// The pending redraw will show this change.
	default:
		if wait := redrawInterval - time.Since(p.lastDraw); wait > 0 {
			p.startTimerLocked(wait)
		} else {
			p.drawLocked()
		}
	}
}

func (p *Progress) startTimerLocked(wait time.Duration) {
	p.timerGen++
	gen := p.timerGen
	p.timer = time.AfterFunc(wait, func() { p.timerFired(gen) })
	pending.add(p)
}

func (p *Progress) stopTimerLocked() {
	if p.timer == nil {
		return
	}
	p.timer.Stop() // if it already fired, timerFired sees a stale gen
	p.timer = nil
	pending.remove(p)
}

func (p *Progress) timerFired(gen uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer == nil || gen != p.timerGen {
		return
	}
	p.timer = nil
	pending.remove(p)
	if p.dirty {
		p.drawLocked()
	}
}

// flush draws a pending change now.
func (p *Progress) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopTimerLocked()
	if p.dirty {
		p.drawLocked()
	}
}

func (p *Progress) drawLocked() {
	now := time.Now()
	p.h.Data(map[string]any{
		"text/html":  progressHTML(p.n, p.total, now.Sub(p.start)),
		"text/plain": progressText(p.n, p.total, now.Sub(p.start)),
	})
	p.lastDraw = now
	p.dirty = false
}

// Flush draws every progress bar change still waiting for its throttle
// timer. The evaluator calls it when a cell's code returns, before the cell
// is reported finished: frontends such as nbclient drop output that
// arrives after that.
func Flush() {
	for _, p := range pending.list() {
		p.flush()
	}
}

// pending is the set of progress bars with a scheduled redraw, for Flush.
// Lock order: a Progress's mu, then pending's.
var pending = &progressSet{m: map[*Progress]struct{}{}}

type progressSet struct {
	mu sync.Mutex
	m  map[*Progress]struct{}
}

func (s *progressSet) add(p *Progress) {
	s.mu.Lock()
	s.m[p] = struct{}{}
	s.mu.Unlock()
}

func (s *progressSet) remove(p *Progress) {
	s.mu.Lock()
	delete(s.m, p)
	s.mu.Unlock()
}

func (s *progressSet) list() []*Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := make([]*Progress, 0, len(s.m))
	for p := range s.m {
		ps = append(ps, p)
	}
	return ps
}
