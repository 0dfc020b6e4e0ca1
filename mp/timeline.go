package mp

import (
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"gomp/display"
)

// A Timeline draws when processes ran, one row per process with time on
// the x axis, so that a picture shows what ran at the same time:
//
//	tl := mp.NewTimeline()
//	tl.Title = "Secuencial vs. paralelo"
//	tl.Span("secuencial", func() {
//		calcCuad(nums)
//		calcCubo(nums)
//	})
//	p1 := mp.NewProcess(calcCuad, nums)
//	p2 := mp.NewProcess(calcCubo, nums)
//	p1.Start()
//	p2.Start()
//	p1.Join()
//	p2.Join()
//	tl.Show()
//
// It records every process this process starts after NewTimeline, from
// any cell or goroutine, and the phases the code marks with Span or Begin.
// A process's bar goes from the moment Start handed the process to its
// child to the moment the child ended; a lighter segment before the bar is
// the time Start took until then (copying the globals and arguments, and
// spawning a child when no idle one was ready). Show draws it as an SVG
// image under the running cell; String (what fmt.Println prints) is the
// same as a table of text. Its words (row labels, table headers, the
// workers' footnote, tooltips) are in the timeline's Lang.
//
// A Pool's worker that ran tasks while the timeline recorded has a row
// too, even if the Pool was made before NewTimeline: a solid segment for
// each chunk of tasks it ran, timed by the worker itself (from taking the
// chunk to having its results ready), over a light bar of its life, and
// the time it was busy in all. A worker that died and its replacement are
// two rows.
//
// A Timeline is safe for concurrent use.
type Timeline struct {
	Title string // drawn above the rows; none if empty

	// Lang is the language of the timeline's words: "es" for Spanish,
	// "en" for English. Empty means $GOMP_LANG, or else the "lang" of the
	// notebook's metadata where the kernel can tell which notebook it runs
	// (JupyterLab and other Jupyter Server frontends, gomp grade), or
	// else English. A Spanish lesson run by nbconvert, which names no
	// notebook, says tl.Lang = "es".
	Lang string

	mu    sync.Mutex
	since uint64    // processes recorded after this sequence number are shown
	start time.Time // pool workers' chunks that ended after this are shown
	spans []*spanRecord
}

// NewTimeline starts recording: processes started from now on, and the
// spans marked on it.
func NewTimeline() *Timeline {
	procLog.mu.Lock()
	defer procLog.mu.Unlock()
	return &Timeline{since: procLog.seq, start: time.Now()}
}

// Span runs f and records it as a row named name: a phase of the cell's
// own work (in this process), to compare on one axis with the processes,
// as a sequential version of what processes then do in parallel. If f
// panics the span ends there, and the panic goes on.
func (tl *Timeline) Span(name string, f func()) {
	end := tl.Begin(name)
	defer end()
	f()
}

// Begin starts a span named name, as Span does, for code that is not one
// function: the span ends when the returned func is called (later calls do
// nothing).
//
//	end := tl.Begin("secuencial")
//	calcCuad(nums)
//	calcCubo(nums)
//	end()
func (tl *Timeline) Begin(name string) (end func()) {
	s := &spanRecord{name: name, pid: os.Getpid(), begin: time.Now()}
	procLog.mu.Lock()
	procLog.seq++
	s.seq = procLog.seq
	procLog.mu.Unlock()
	tl.mu.Lock()
	tl.spans = append(tl.spans, s)
	tl.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			now := time.Now()
			tl.mu.Lock()
			s.end = now
			tl.mu.Unlock()
		})
	}
}

// Show draws the timeline under the running cell, as an SVG image with a
// text alternative. Call it after Join: a process or span that has not
// ended yet is drawn up to now, marked as running.
func (tl *Timeline) Show() {
	svg, text := tl.render()
	display.Data(map[string]any{"image/svg+xml": svg, "text/plain": text})
}

// SVG returns the image Show draws, to save to a file, say.
func (tl *Timeline) SVG() string {
	svg, _ := tl.render()
	return svg
}

// String returns the timeline as a table of text: one line per row, with
// its start, end and duration.
func (tl *Timeline) String() string {
	_, text := tl.render()
	return text
}

func (tl *Timeline) render() (svg, text string) {
	title, lang, rows := tl.rows()
	return renderTimeline(timelineLanguage(lang), title, rows, time.Now())
}

// rows lists what the timeline shows, in the order things began.
func (tl *Timeline) rows() (title, lang string, rows []timelineRow) {
	tl.mu.Lock()
	title, lang, since, start := tl.Title, tl.Lang, tl.since, tl.start
	for _, s := range tl.spans {
		rows = append(rows, timelineRow{
			seq: s.seq, name: s.name, pid: s.pid, span: true,
			called: s.begin, begun: s.begin, ended: s.end, exit: Running,
		})
	}
	tl.mu.Unlock()

	procLog.mu.Lock()
	var recs []*procRecord
	for _, r := range procLog.recs {
		if r.seq > since {
			recs = append(recs, r)
		}
	}
	workers := slices.Clone(procLog.workers)
	procLog.mu.Unlock()
	for _, r := range slices.Concat(recs, workers) {
		// A process that has ended has its end recorded in a moment: a
		// timeline drawn right after Join must show it ended.
		select {
		case <-r.child.exited:
			<-r.recorded
		default:
		}
	}
	procLog.mu.Lock()
	for _, r := range workers {
		// A worker started before the timeline is in it if it worked, or
		// ended, while the timeline was recording.
		if r.seq > since || r.work.activeAfter(start) || !r.ended.IsZero() && r.ended.After(start) {
			recs = append(recs, r)
		}
	}
	for _, r := range recs {
		rows = append(rows, r.row(since, start))
	}
	procLog.mu.Unlock()

	slices.SortStableFunc(rows, func(a, b timelineRow) int {
		if c := a.called.Compare(b.called); c != 0 {
			return c
		}
		return int(a.seq) - int(b.seq)
	})
	return title, lang, rows
}

// spanRecord is a phase marked with Span or Begin.
type spanRecord struct {
	seq        uint64
	name       string
	pid        int
	begin, end time.Time // end is zero until the span ends (guarded by its Timeline's mu)
}

// procLog records the processes this process starts, for the Timelines
// made before they started. Its sequence numbers order processes and spans
// that began at the same instant.
var procLog struct {
	mu      sync.Mutex
	seq     uint64
	recs    []*procRecord // the last maxLogged, oldest first
	workers []*procRecord // Pools' workers: the last maxWorkersLogged, oldest first
}

// maxLogged bounds procLog: a notebook that starts processes in a loop for
// hours must not grow without end. A Timeline shows at most that many.
// Pools' workers are kept apart, since they are shown for the chunks they
// ran while a timeline recorded however long ago they started; a worker
// keeps at most maxSegments segments, so they have a bound of their own.
const (
	maxLogged        = 5000
	maxWorkersLogged = 1000
)

// procRecord is one started process's times (guarded by procLog.mu).
type procRecord struct {
	seq           uint64
	name          string
	pid           int
	daemon        bool
	called, begun time.Time // Start was called; the child was given the process to run
	ended         time.Time // zero until the process has ended
	exit          ExitCode

	child    *childProc
	recorded chan struct{} // closed once ended and exit are set

	work *workLog // a Pool's worker's chunks; nil for a Process
}

// row is the record as a timeline that began at start (after sequence
// number since) draws it.
func (r *procRecord) row(since uint64, start time.Time) timelineRow {
	row := timelineRow{
		seq: r.seq, name: r.name, pid: r.pid, daemon: r.daemon,
		called: r.called, begun: r.begun, ended: r.ended, exit: r.exit,
	}
	if r.work == nil {
		return row
	}
	row.daemon = false // every worker is one: saying so is noise
	row.worker = true
	row.segs = r.work.since(start)
	if r.seq <= since {
		// It started before the timeline: its row begins with what it did
		// in the window, not with hours of idling before it.
		first := r.ended
		if len(row.segs) > 0 {
			first = row.segs[0].begin
		}
		row.called, row.begun = first, first
	}
	return row
}

// noteStart records a process Start has just got running (called is when
// Start was called), and its end when it ends. Start calls it.
func noteStart(name string, c *childProc, daemon bool, called time.Time) {
	r := &procRecord{
		name: name, pid: c.pid, daemon: daemon, called: called, begun: time.Now(), exit: Running,
		child: c, recorded: make(chan struct{}),
	}
	procLog.mu.Lock()
	procLog.seq++
	r.seq = procLog.seq
	procLog.recs = append(procLog.recs, r)
	if n := len(procLog.recs) - maxLogged; n > 0 {
		procLog.recs = slices.Delete(procLog.recs, 0, n)
	}
	procLog.mu.Unlock()
	r.recordEnd()
}

// noteWorker records a Pool's worker just launched (called is when its
// launch began); the pool then reports its chunks with noteChunk.
func noteWorker(name string, c *childProc, called time.Time) *procRecord {
	r := &procRecord{
		name: name, pid: c.pid, daemon: true, called: called, begun: time.Now(), exit: Running,
		child: c, recorded: make(chan struct{}), work: &workLog{},
	}
	procLog.mu.Lock()
	procLog.seq++
	r.seq = procLog.seq
	procLog.workers = append(procLog.workers, r)
	if n := len(procLog.workers) - maxWorkersLogged; n > 0 {
		procLog.workers = slices.Delete(procLog.workers, 0, n)
	}
	procLog.mu.Unlock()
	r.recordEnd()
	return r
}

// noteChunk records that the worker ran a chunk of items from begin for
// ran. It is called once per chunk, not per item, and costs a lock and an
// append: a Map of many quick items is not slowed down by it.
func (r *procRecord) noteChunk(begin time.Time, ran time.Duration, items int) {
	procLog.mu.Lock()
	r.work.add(workSegment{
		begin: int64(begin.Sub(logEpoch)), ran: int64(ran), chunks: 1, items: uint32(min(items, math.MaxUint32)),
	})
	procLog.mu.Unlock()
}

// recordEnd sets the record's end when its child ends.
func (r *procRecord) recordEnd() {
	c := r.child
	go func() {
		// exited is closed as soon as the child has reported its exit code
		// or was reaped: the end of the bar.
		<-c.exited
		c.mu.Lock()
		at, code := c.endedAt, c.exitCode
		c.mu.Unlock()
		procLog.mu.Lock()
		r.ended, r.exit = at, code
		procLog.mu.Unlock()
		close(r.recorded)
	}()
}

// logEpoch is the origin of workSegment's times: offsets from it take 8
// bytes where a time.Time takes 24, and keep the monotonic clock.
var logEpoch = time.Now()

// workLog is a Pool worker's chunks, oldest first (guarded by procLog.mu).
// It holds at most maxSegments: when full, each two neighbours become one
// segment, so that a worker that runs a million one-item chunks keeps a
// coarser but bounded picture (a row is a few hundred pixels wide: more
// segments than that would not show anyway), with its counts exact.
type workLog struct {
	segs []workSegment
}

const maxSegments = 512

// workSegment is one chunk a worker ran, or neighbouring chunks merged.
type workSegment struct {
	begin, ran    int64 // nanoseconds since logEpoch; nanoseconds busy
	end           int64 // nanoseconds since logEpoch: begin+ran for one chunk
	chunks, items uint32
}

func (l *workLog) add(s workSegment) {
	s.end = s.begin + s.ran
	if len(l.segs) == maxSegments {
		half := l.segs[:0]
		for i := 0; i+1 < len(l.segs); i += 2 {
			a, b := l.segs[i], l.segs[i+1]
			half = append(half, workSegment{begin: a.begin, end: max(a.end, b.end), ran: a.ran + b.ran,
				chunks: a.chunks + b.chunks, items: a.items + b.items})
		}
		l.segs = half
	}
	l.segs = append(l.segs, s)
}

// activeAfter says whether a chunk ended after t.
func (l *workLog) activeAfter(t time.Time) bool {
	return len(l.segs) > 0 && l.segs[len(l.segs)-1].end > int64(t.Sub(logEpoch))
}

// since copies the segments that ended after t, as a row draws them.
func (l *workLog) since(t time.Time) []rowSegment {
	from := int64(t.Sub(logEpoch))
	i, _ := slices.BinarySearchFunc(l.segs, from, func(s workSegment, from int64) int {
		if s.end <= from {
			return -1
		}
		return 1
	})
	out := make([]rowSegment, 0, len(l.segs)-i)
	for _, s := range l.segs[i:] {
		out = append(out, rowSegment{
			begin: logEpoch.Add(time.Duration(s.begin)), end: logEpoch.Add(time.Duration(s.end)),
			busy: time.Duration(s.ran), chunks: int(s.chunks), items: int(s.items),
		})
	}
	return out
}
