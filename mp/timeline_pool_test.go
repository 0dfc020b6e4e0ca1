package mp

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// workerRows are the rows of Pool workers among rows.
func workerRows(rows []timelineRow) []timelineRow {
	var ws []timelineRow
	for _, r := range rows {
		if r.worker {
			ws = append(ws, r)
		}
	}
	return ws
}

// A pool made before the timeline: each worker that ran chunks while it
// recorded is a row with one segment per chunk; the chunks run before
// NewTimeline are not in it.
func TestTimelineOfPool(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	p.Map(square, []int{1, 2, 3, 4}, Chunksize(1)) // before the timeline

	tl := NewTimeline()
	tl.Lang = "es"
	tl.Title = "pool"
	tl.Span("serial", func() { nap(20) })
	// One chunk in each worker (each waits until both have started), one
	// slow chunk, then ten quick ones.
	who := map[string]bool{}
	dir := t.TempDir()
	for _, w := range p.Map(meetAt, []string{dir, dir}, Chunksize(1)).([]string) {
		who[w] = true
	}
	p.Apply(sleepTask, 50*time.Millisecond)
	p.Map(square, make([]int, 1000), Chunksize(100))
	const chunks, items = 2 + 1 + 10, 2 + 1 + 1000
	if len(who) != 2 {
		t.Fatalf("the tasks ran in %v, want both workers", who)
	}

	_, _, rows := tl.rows()
	if len(rows) != 3 || !rows[0].span || rows[0].name != "serial" {
		t.Fatalf("rows %+v, want the span then the two workers", rows)
	}
	gotChunks, gotItems, slow := 0, 0, false
	for _, r := range workerRows(rows) {
		if !who[fmt.Sprintf("%s %d", r.name, r.pid)] {
			t.Errorf("row %s (pid %d) is not one of the workers %v", r.name, r.pid, who)
		}
		if !r.ended.IsZero() || r.exit != Running || r.called != r.begun {
			t.Errorf("row %+v: want a live worker, started before the timeline", r)
		}
		for i, s := range r.segs {
			if s.chunks != 1 || s.end.Before(s.begin) || i > 0 && s.begin.Before(r.segs[i-1].begin) {
				t.Errorf("%s: segment %d = %+v", r.name, i, s)
			}
			slow = slow || s.busy >= 50*time.Millisecond
		}
		c, n, _ := r.work()
		gotChunks += c
		gotItems += n
	}
	if gotChunks != chunks || gotItems != items || !slow {
		t.Errorf("the workers' rows have %d chunks of %d items (slow one found: %v), want %d of %d",
			gotChunks, gotItems, slow, chunks, items)
	}

	svg := tl.SVG()
	checkWellFormed(t, svg)
	drawn := drawnRows(svg)
	if len(drawn) != 3 || !strings.HasPrefix(drawn[1], "worker SpawnPoolWorker-") || !strings.HasPrefix(drawn[2], "worker SpawnPoolWorker-") {
		t.Errorf("drawn rows %q, want the span and a row per worker", drawn)
	}
	if n := strings.Count(svg, `class="task"`); n != chunks {
		t.Errorf("%d task segments drawn, want %d", n, chunks)
	}
	if n := strings.Count(svg, `class="life"`); n != 2 {
		t.Errorf("%d worker life bars drawn, want 2", n)
	}
	text := tl.String()
	lines := strings.Split(text, "\n")
	if len(lines) != 1+1+3+1 || !strings.HasSuffix(lines[1], "trabajo") || !strings.Contains(text, "ocupado") {
		t.Errorf("String() =\n%s", text)
	}
	for _, l := range lines[3:5] {
		if !strings.HasPrefix(l, "SpawnPoolWorker-") || !strings.Contains(l, " tareas, ") || !strings.HasSuffix(l, " ocupado") {
			t.Errorf("worker line %q", l)
		}
	}
}

// A pool made after the timeline: its worker's row shows its start; a
// worker killed is a row that ends with its exit code, and its
// replacement a row of its own.
func TestTimelineOfPoolWorkerKilled(t *testing.T) {
	rec, _ := inCell(t)
	tl := NewTimeline()
	tl.Lang = "es"
	p := newTestPool(t, 1)
	r := p.ApplyAsync(sleepThenPid, 0)
	rec.waitFor(t, "stdout", "sleeping pid ")
	var pid int
	out := rec.text("stdout")
	fmt.Sscanf(out[strings.Index(out, "sleeping pid "):], "sleeping pid %d", &pid)
	if err := killPid(pid); err != nil {
		t.Fatal(err)
	}
	r.Wait()
	next := p.Apply(pidOf, 0).(int)

	_, _, rows := tl.rows()
	if len(rows) != 2 {
		t.Fatalf("rows %+v, want the killed worker and its replacement", rows)
	}
	killed, repl := rows[0], rows[1]
	if !killed.worker || killed.pid != pid || killed.exit != -9 || killed.ended.IsZero() || len(killed.segs) != 0 {
		t.Errorf("first row %+v, want worker %d killed (-9) without a finished chunk", killed, pid)
	}
	if !killed.begun.After(killed.called) && !killed.begun.Equal(killed.called) {
		t.Errorf("first row %+v: started before it was launched", killed)
	}
	if !repl.worker || repl.pid != next || repl.exit != Running || len(repl.segs) != 1 || repl.name == killed.name {
		t.Errorf("second row %+v, want the replacement %d with one chunk", repl, next)
	}
	svg := tl.SVG()
	checkWellFormed(t, svg)
	if drawn := drawnRows(svg); len(drawn) != 2 || drawn[0] != fmt.Sprintf("worker %s %d", killed.name, pid) {
		t.Errorf("drawn rows %q", drawn)
	}
	if n := strings.Count(svg, `class="task"`); n != 1 {
		t.Errorf("%d task segments drawn, want 1", n)
	}
	if !strings.Contains(svg, "salida -9") || !strings.Contains(tl.String(), "0 tareas") {
		t.Errorf("the killed worker's row does not say how it ended:\n%s\n%s", svg, tl.String())
	}
}

// A worker's log stays bounded however many chunks it runs, and its
// counts stay exact.
func TestWorkLogIsBounded(t *testing.T) {
	var l workLog
	const n = 10 * maxSegments
	for i := range n {
		l.add(workSegment{begin: int64(i) * 100, ran: 50, chunks: 1, items: 3})
	}
	if len(l.segs) > maxSegments {
		t.Errorf("%d segments kept, want at most %d", len(l.segs), maxSegments)
	}
	var chunks, items uint32
	var ran int64
	for i, s := range l.segs {
		chunks += s.chunks
		items += s.items
		ran += s.ran
		if s.end < s.begin || i > 0 && s.begin < l.segs[i-1].end {
			t.Fatalf("segment %d = %+v after %+v", i, s, l.segs[i-1])
		}
	}
	if chunks != n || items != 3*n || ran != 50*n {
		t.Errorf("kept %d chunks, %d items, %d ns busy; want %d, %d, %d", chunks, items, ran, n, 3*n, 50*n)
	}
	// since keeps the segments that end after a time.
	last := l.segs[len(l.segs)-1]
	if got := l.since(logEpoch.Add(time.Duration(last.begin))); len(got) != 1 || got[0].chunks != int(last.chunks) {
		t.Errorf("since(the last segment's begin) = %+v", got)
	}
	if got := l.since(logEpoch.Add(time.Duration(last.end))); len(got) != 0 || l.activeAfter(logEpoch.Add(time.Duration(last.end))) {
		t.Errorf("since(the end) = %+v", got)
	}
}

// Recording a chunk is a lock and an append: a Map of many quick items
// must not be slowed down by timelines.
func BenchmarkNoteChunk(b *testing.B) {
	r := &procRecord{work: &workLog{}}
	now := time.Now()
	for b.Loop() {
		r.noteChunk(now, time.Microsecond, 1)
	}
}
