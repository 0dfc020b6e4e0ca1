package mp

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gomp/backend"
	"gomp/display"
)

// nap is a target that takes a while, so that two of them overlap.
func nap(ms int) { time.Sleep(time.Duration(ms) * time.Millisecond) }

// Registered here, not in targets_test.go's map literal: init functions run
// in file-name order, so that map exists by now (in the children too).
func init() { testTargets["nap"] = nap }

// checkWellFormed parses svg as XML to its end.
func checkWellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, svg)
		}
	}
}

var rowRE = regexp.MustCompile(`<g class="row (process|span|worker)" data-name="([^"]*)" data-pid="(\d+)">`)

// drawnRows lists the rows of a drawn timeline as "kind name pid".
func drawnRows(svg string) []string {
	var rows []string
	for _, m := range rowRE.FindAllStringSubmatch(svg, -1) {
		rows = append(rows, m[1]+" "+m[2]+" "+m[3])
	}
	return rows
}

func TestRenderTimeline(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	rows := []timelineRow{
		{seq: 1, name: "secuencial", pid: 10, span: true, called: ms(0), begun: ms(0), ended: ms(4000), exit: Running},
		{seq: 2, name: "Process-1", pid: 11, called: ms(4000), begun: ms(4012), ended: ms(6020), exit: 0},
		{seq: 3, name: `<b>"Worker" & co</b>`, pid: 12, called: ms(4001), begun: ms(4013), ended: ms(6100), exit: -15},
		{seq: 4, name: "Process-3", pid: 13, daemon: true, called: ms(4002), begun: ms(4014), exit: Running},
	}
	now := ms(6500)
	svg, text := renderTimeline(timelineSpanish, "Secuencial vs. paralelo", rows, now)
	checkWellFormed(t, svg)

	want := []string{
		"span secuencial 10",
		"process Process-1 11",
		"process &lt;b&gt;&#34;Worker&#34; &amp; co&lt;/b&gt; 12",
		"process Process-3 13",
	}
	if got := drawnRows(svg); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows drawn:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{
		`role="img"`, "<title", "<desc", "Secuencial vs. paralelo",
		">pid 11<", "salida -15", "pid 13 · demonio", "en curso",
		">0 s<", ">7 s<", // 6.5 s in all: ticks every second, up to 7 s
		"4.00 s", "2.01 s", // durations of the span and of Process-1
	} {
		if !strings.Contains(svg, s) {
			t.Errorf("the SVG lacks %q:\n%s", s, svg)
		}
	}
	if strings.Contains(svg, "<b>") {
		t.Error("a process's name went into the SVG unescaped")
	}
	if n := strings.Count(svg, `class="bar"`); n != len(rows) {
		t.Errorf("%d bars, want %d", n, len(rows))
	}
	if n := strings.Count(svg, `class="startup"`); n != 3 {
		t.Errorf("%d startup segments, want 3 (one per process, none for the span)", n)
	}

	lines := strings.Split(text, "\n")
	if len(lines) != 2+len(rows) || lines[0] != "Secuencial vs. paralelo" {
		t.Fatalf("text alternative:\n%s", text)
	}
	for i, prefix := range []string{"secuencial", "Process-1", `<b>"Worker" & co</b>`, "Process-3"} {
		if !strings.HasPrefix(lines[2+i], prefix) {
			t.Errorf("text line %d = %q, want it to start with %q", 2+i, lines[2+i], prefix)
		}
	}
	for i, want := range []string{
		"secuencial 10 0.0 ms 4.00 s 4.00 s",
		"Process-1 11 4.01 s 6.02 s 2.01 s 0",
		"co</b> 12 4.01 s 6.10 s 2.09 s -15",
		"Process-3 13 4.01 s en curso 2.49 s en curso",
	} {
		if got := strings.Join(strings.Fields(lines[2+i]), " "); !strings.HasSuffix(got, want) {
			t.Errorf("text line %d = %q, want it to end with %q", 2+i, got, want)
		}
	}
}

func TestRenderEmptyTimeline(t *testing.T) {
	svg, text := renderTimeline(timelineSpanish, "", nil, time.Now())
	checkWellFormed(t, svg)
	if !strings.Contains(text, "No se inició ningún proceso") || !strings.Contains(svg, "No se inició ningún proceso") {
		t.Errorf("an empty timeline does not say it is empty:\n%s\n%s", svg, text)
	}
}

func TestAxisTicks(t *testing.T) {
	for _, tc := range []struct {
		total, step, axisMax time.Duration
		first, last          string
	}{
		{4020 * time.Millisecond, time.Second, 5 * time.Second, "0 s", "5 s"},
		{2114 * time.Millisecond, 500 * time.Millisecond, 2500 * time.Millisecond, "0.0 s", "2.5 s"},
		{830 * time.Millisecond, 200 * time.Millisecond, time.Second, "0 ms", "1000 ms"},
		{42 * time.Millisecond, 10 * time.Millisecond, 50 * time.Millisecond, "0 ms", "50 ms"},
		{3 * time.Millisecond, 500 * time.Microsecond, 3 * time.Millisecond, "0.0 ms", "3.0 ms"},
		{6500 * time.Millisecond, time.Second, 7 * time.Second, "0 s", "7 s"},
		{95 * time.Second, 20 * time.Second, 100 * time.Second, "0 s", "100 s"},
	} {
		step, axisMax := axisTicks(tc.total)
		if step != tc.step || axisMax != tc.axisMax {
			t.Errorf("axisTicks(%v) = %v, %v; want %v, %v", tc.total, step, axisMax, tc.step, tc.axisMax)
		}
		if got := tickLabel(0, step, axisMax); got != tc.first {
			t.Errorf("first tick for %v = %q, want %q", tc.total, got, tc.first)
		}
		if got := tickLabel(axisMax, step, axisMax); got != tc.last {
			t.Errorf("last tick for %v = %q, want %q", tc.total, got, tc.last)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		8400 * time.Microsecond:  "8.4 ms",
		250 * time.Millisecond:   "250 ms",
		2014 * time.Millisecond:  "2.01 s",
		61200 * time.Millisecond: "61.2 s",
		150 * time.Second:        "150 s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// A timeline through real child processes: a span of this process, then
// two processes that overlap, in the order they began; a process started
// before NewTimeline is not in it.
func TestTimelineOfProcesses(t *testing.T) {
	inCell(t)
	before := joined(t, NewProcess(empty))

	tl := NewTimeline()
	tl.Title = "two naps"
	tl.Span("sequential", func() { nap(50) })
	p1, p2 := NewProcess(nap, 300), NewProcess(nap, 300)
	p1.Start()
	p2.Start()
	p1.Join()
	p2.Join()

	_, _, rows := tl.rows()
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(rows), rows)
	}
	span, r1, r2 := rows[0], rows[1], rows[2]
	if !span.span || span.name != "sequential" || span.ended.Sub(span.begun) < 50*time.Millisecond {
		t.Errorf("first row %+v, want the 50 ms span", span)
	}
	for i, want := range []*Process{p1, p2} {
		r := rows[1+i]
		if r.span || r.name != want.Name || r.pid != want.Pid() || r.exit != 0 {
			t.Errorf("row %d = %+v, want %s (pid %d) ended with 0", 1+i, r, want.Name, want.Pid())
		}
		if r.ended.IsZero() || r.ended.Sub(r.begun) < 300*time.Millisecond || r.begun.Before(r.called) {
			t.Errorf("row %d = %+v: want called ≤ begun, and 300 ms or more from begun to ended", 1+i, r)
		}
	}
	if !r2.begun.Before(r1.ended) {
		t.Errorf("the two processes did not overlap: %+v, %+v", r1, r2)
	}
	if !span.ended.Before(r1.called) || before.Pid() == r1.pid {
		t.Errorf("rows out of order or from before NewTimeline: %+v", rows)
	}

	svg := tl.SVG()
	checkWellFormed(t, svg)
	if got := drawnRows(svg); len(got) != 3 || !strings.HasPrefix(got[0], "span sequential") {
		t.Errorf("drawn rows %q", got)
	}
	if s := tl.String(); !strings.HasPrefix(s, "two naps\n") || strings.Count(s, "\n") != 4 {
		t.Errorf("String() =\n%s", s)
	}

	// Show sends the image with its text alternative to the cell.
	out := &displays{}
	display.SetOutput(out)
	defer display.SetOutput(nil)
	tl.Show()
	if len(out.got) != 1 {
		t.Fatalf("Show displayed %d outputs, want 1", len(out.got))
	}
	d := out.got[0].Data
	if svg, _ := d["image/svg+xml"].(string); !strings.HasPrefix(svg, "<svg") {
		t.Errorf("no image/svg+xml in %v", d)
	}
	if text, _ := d["text/plain"].(string); !strings.HasPrefix(text, "two naps") {
		t.Errorf("text/plain = %q", text)
	}
}

// A span still open, and a process still running, are drawn up to now.
func TestTimelineWhileRunning(t *testing.T) {
	inCell(t)
	tl := NewTimeline()
	end := tl.Begin("open")
	p := NewProcess(sleepLong)
	p.Start()
	defer func() {
		p.Kill()
		p.Join()
	}()
	_, _, rows := tl.rows()
	if len(rows) != 2 || !rows[0].ended.IsZero() || !rows[1].ended.IsZero() || rows[1].exit != Running {
		t.Errorf("rows %+v, want an open span and a running process", rows)
	}
	if s := tl.String(); strings.Count(s, "running") != 3 { // twice "to", once the exit code (English: no Lang, no $GOMP_LANG)
		t.Errorf("String() =\n%s", s)
	}
	end()
	end() // a second call does nothing
	if _, _, rows := tl.rows(); rows[0].ended.IsZero() {
		t.Error("the span did not end")
	}
}

// displays is a cell's output that keeps its displays.
type displays struct {
	mu  sync.Mutex
	got []backend.Display
}

func (o *displays) Stream(name, text string) {}
func (o *displays) Display(d backend.Display) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, d)
}
func (o *displays) ClearOutput(bool) {}
func (o *displays) Input(context.Context, string, bool) (string, error) {
	return "", backend.ErrNoStdin
}

// A timeline speaks the language it is given, Spanish or English, in its
// labels, table, footnote and tooltips alike; "" is the default language.
func TestTimelineLanguages(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	rows := []timelineRow{
		{seq: 1, name: "secuencial", pid: 10, span: true, called: ms(0), begun: ms(0), ended: ms(400), exit: Running},
		{seq: 2, name: "Process-1", pid: 11, daemon: true, called: ms(400), begun: ms(410), ended: ms(800), exit: 3},
		{seq: 3, name: "SpawnPoolWorker-1", pid: 12, worker: true, called: ms(400), begun: ms(420), exit: Running,
			segs: []rowSegment{{begin: ms(450), end: ms(700), busy: 250 * time.Millisecond, chunks: 2, items: 4}}},
	}
	for _, tc := range []struct {
		lang      string
		words     []string
		notInText []string
	}{
		{"es", []string{"este proceso", "demonio", "salida 3", "2 tareas", "desde", "hasta", "duración", "trabajo",
			"250 ms ocupado", "tramo en el pid 10", "código de salida 3", "En un trabajador de un Pool"},
			[]string{"from", "busy", "daemon"}},
		{"en", []string{"this process", "daemon", "exit 3", "2 tasks", "from", "to", "duration", "work",
			"250 ms busy", "span in pid 10", "exit code 3", "its first and last chunk"},
			[]string{"desde", "ocupado", "demonio"}},
	} {
		svg, text := renderTimeline(timelineLanguage(tc.lang), "", rows, ms(900))
		checkWellFormed(t, svg)
		for _, w := range tc.words {
			if !strings.Contains(svg, w) {
				t.Errorf("%s: the SVG lacks %q", tc.lang, w)
			}
		}
		for _, w := range tc.notInText {
			if strings.Contains(text, w) {
				t.Errorf("%s: the text table says %q:\n%s", tc.lang, w, text)
			}
		}
	}
	if timelineLanguage("es-MX") != timelineSpanish || timelineLanguage("es_AR.UTF-8") != timelineSpanish ||
		timelineLanguage("en") != timelineEnglish || timelineLanguage("fr") != timelineEnglish {
		t.Error("language tags are not read as es-* Spanish, anything else English")
	}
	t.Setenv(LangEnv, "es")
	if timelineLanguage("") != timelineSpanish {
		t.Errorf("with %s=es a timeline without Lang is not Spanish", LangEnv)
	}
	if timelineLanguage("en") != timelineEnglish {
		t.Errorf("a timeline's own Lang does not win over %s", LangEnv)
	}
}

// A kernel that Jupyter Server started for a notebook finds the notebook's
// "lang" from $JPY_SESSION_NAME (relative to the server's root, the kernel
// running in the notebook's folder); nbconvert's kernel, named none, has
// none; a broken notebook is no language, not a failure.
func TestNotebookLanguage(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("leccion.ipynb", `{"cells": [], "metadata": {"lang": "es", "kernelspec": {"name": "gomp", "language": "go"}}, "nbformat": 4, "nbformat_minor": 5}`)
	write("roto.ipynb", `{"cells": [`)
	for _, tc := range []struct{ session, want string }{
		{"curso/notebooks/leccion.ipynb", "es"},
		{filepath.Join(dir, "leccion.ipynb"), "es"},
		{"roto.ipynb", ""},
		{"no-existe.ipynb", ""},
		{"", ""},
	} {
		t.Setenv("JPY_SESSION_NAME", tc.session)
		if got := readNotebookLang(); got != tc.want {
			t.Errorf("JPY_SESSION_NAME=%q: language %q, want %q", tc.session, got, tc.want)
		}
	}
	if _, err := NotebookLang(filepath.Join(dir, "roto.ipynb")); err == nil || !strings.Contains(err.Error(), "roto.ipynb") {
		t.Errorf("a broken notebook's error %v does not name it", err)
	}
}
