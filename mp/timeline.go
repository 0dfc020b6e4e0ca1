package mp

import (
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
// any cell or goroutine (a Pool's workers too, when the Pool starts them
// as Processes), and the phases the code marks with Span or Begin. A
// process's bar goes from the moment Start handed the process to its child
// to the moment the child ended; a lighter segment before the bar is the
// time Start took until then (copying the globals and arguments, and
// spawning a child when no idle one was ready). Show draws it as an SVG image under the
// running cell; String (what fmt.Println prints) is the same as a table of
// text.
//
// A Timeline is safe for concurrent use.
type Timeline struct {
	Title string // drawn above the rows; none if empty

	mu    sync.Mutex
	since uint64 // processes recorded after this sequence number are shown
	spans []*spanRecord
}

// NewTimeline starts recording: processes started from now on, and the
// spans marked on it.
func NewTimeline() *Timeline {
	procLog.mu.Lock()
	defer procLog.mu.Unlock()
	return &Timeline{since: procLog.seq}
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
	title, rows := tl.rows()
	return renderTimeline(title, rows, time.Now())
}

// rows lists what the timeline shows, in the order things began.
func (tl *Timeline) rows() (string, []timelineRow) {
	tl.mu.Lock()
	title, since := tl.Title, tl.since
	var rows []timelineRow
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
	procLog.mu.Unlock()
	for _, r := range recs {
		// A process that has ended has its end recorded in a moment: a
		// timeline drawn right after Join must show it ended.
		select {
		case <-r.child.exited:
			<-r.recorded
		default:
		}
	}
	procLog.mu.Lock()
	for _, r := range recs {
		rows = append(rows, r.row())
	}
	procLog.mu.Unlock()

	slices.SortStableFunc(rows, func(a, b timelineRow) int {
		if c := a.called.Compare(b.called); c != 0 {
			return c
		}
		return int(a.seq) - int(b.seq)
	})
	return title, rows
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
	mu   sync.Mutex
	seq  uint64
	recs []*procRecord // the last maxLogged, oldest first
}

// maxLogged bounds procLog: a notebook that starts processes in a loop for
// hours must not grow without end. A Timeline shows at most that many.
const maxLogged = 5000

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
}

func (r *procRecord) row() timelineRow {
	return timelineRow{
		seq: r.seq, name: r.name, pid: r.pid, daemon: r.daemon,
		called: r.called, begun: r.begun, ended: r.ended, exit: r.exit,
	}
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
	go func() {
		// exited is closed as soon as the child has reported its exit code
		// or was reaped: the end of the bar.
		<-c.exited
		now := time.Now()
		code := c.code()
		procLog.mu.Lock()
		r.ended, r.exit = now, code
		procLog.mu.Unlock()
		close(r.recorded)
	}()
}
