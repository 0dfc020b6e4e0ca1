package mp

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// timelineRow is one row of a drawn Timeline: a process or a span.
type timelineRow struct {
	seq           uint64
	name          string
	pid           int
	daemon        bool
	span          bool      // a phase marked with Span or Begin, not a process
	called, begun time.Time // for a process: Start was called, the child began
	ended         time.Time // zero while running
	exit          ExitCode  // a process's; Running for spans

	// A Pool's worker: its chunks in the window, drawn as segments over a
	// light bar of its life (called and begun are when it started, or its
	// first chunk when it started before the timeline).
	worker bool
	segs   []rowSegment
}

// rowSegment is a chunk a Pool's worker ran (or several merged, see
// workLog).
type rowSegment struct {
	begin, end    time.Time
	busy          time.Duration
	chunks, items int
}

// until is where the row's bar ends: its end, or now while it runs. A
// worker still alive ends with its last chunk, so that a pool left idle
// does not stretch the axis to whenever the timeline is drawn.
func (r timelineRow) until(now time.Time) time.Time {
	switch {
	case !r.ended.IsZero():
		return r.ended
	case !r.worker:
		return now
	case len(r.segs) > 0 && r.segs[len(r.segs)-1].end.After(r.begun):
		return r.segs[len(r.segs)-1].end
	}
	return r.begun
}

// work sums a worker's chunks: how many, their items, the time busy.
func (r timelineRow) work() (chunks, items int, busy time.Duration) {
	for _, s := range r.segs {
		chunks += s.chunks
		items += s.items
		busy += s.busy
	}
	return chunks, items, busy
}

// The drawing's geometry, in SVG user units (pixels at 100%). 720 wide
// fits the output area of the classic Notebook and of JupyterLab without
// scaling; the image scales down in narrower ones (max-width).
const (
	tlWidth     = 720
	tlLabelW    = 190 // the names and pids, left of the plot
	tlRightPad  = 80  // room for the duration after the longest bar
	tlPlotW     = tlWidth - tlLabelW - tlRightPad
	tlRowH      = 34
	tlBarH      = 14
	tlTitleH    = 28
	tlAxisH     = 34
	tlMargin    = 10
	tlMaxLabel  = 21 // runes of a name that fit left of the plot (13px, bold)
	tlFontStack = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
)

// tlPalette colours the processes' bars: the Okabe–Ito palette, which
// colour-blind readers can tell apart, without its yellow (too light on
// white). Spans are grey, set apart from processes.
var tlPalette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}

const tlSpanColor = "#6E7781"

// tlIDs makes the ids that tie an image to its title and description
// unique in a page: the classic Notebook puts SVG inline in the page,
// where two timelines with one id would label each other.
var tlIDs atomic.Int64

// renderTimeline draws rows (in order) as an SVG image, and as a text table
// for where images are not shown. Rows still running end at now.
func renderTimeline(w *timelineWords, title string, rows []timelineRow, now time.Time) (svg, text string) {
	if len(rows) == 0 {
		msg := w.empty
		return emptyTimelineSVG(title, msg), joinTitle(title, msg)
	}
	origin := rows[0].called
	last := origin
	for _, r := range rows {
		if r.called.Before(origin) {
			origin = r.called
		}
		if end := r.until(now); end.After(last) {
			last = end
		}
	}
	total := max(last.Sub(origin), time.Millisecond)
	step, axisMax := axisTicks(total)
	x := func(t time.Time) float64 {
		return tlLabelW + float64(t.Sub(origin))/float64(axisMax)*tlPlotW
	}

	top := tlMargin
	if title != "" {
		top += tlTitleH
	}
	axisY := top + len(rows)*tlRowH
	height := axisY + tlAxisH

	id := fmt.Sprintf("mp-timeline-%d", tlIDs.Add(1))
	text = w.timelineText(title, rows, origin, now)
	if mentionsWorkers(rows) {
		text += "\n" + w.workerNote
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" style="max-width:100%%;height:auto" font-family="%s" role="img" aria-labelledby="%s-title %s-desc">`+"\n",
		tlWidth, height, tlWidth, height, tlFontStack, id, id)
	accessibleName := title
	if accessibleName == "" {
		accessibleName = fmt.Sprintf(w.rowsName, len(rows))
	}
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`+"\n", id, esc(accessibleName))
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`+"\n", id, esc(text))
	// A white card: readable on dark themes too, which would otherwise put
	// dark text on a dark page.
	fmt.Fprintf(&b, `<rect width="%d" height="%d" rx="6" fill="#ffffff" stroke="#d0d7de"/>`+"\n", tlWidth, height)
	if title != "" {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="15" font-weight="600" fill="#1f2328">%s</text>`+"\n", tlMargin+2, tlMargin+18, esc(title))
	}

	// Zebra stripes, then the grid, then the bars over both.
	for i := range rows {
		if i%2 == 1 {
			fmt.Fprintf(&b, `<rect x="1" y="%d" width="%d" height="%d" fill="#f6f8fa"/>`+"\n", top+i*tlRowH, tlWidth-2, tlRowH)
		}
	}
	b.WriteString(`<g class="axis" font-size="11" fill="#57606a">` + "\n")
	for t := time.Duration(0); t <= axisMax; t += step {
		tx := tlLabelW + float64(t)/float64(axisMax)*tlPlotW
		dash := ` stroke-dasharray="3 3"`
		if t == 0 {
			dash = ""
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#d0d7de"%s/>`+"\n", tx, top, tx, axisY, dash)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", tx, axisY+16, tickLabel(t, step, axisMax))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#8c959f"/>`+"\n", tlLabelW, axisY, tlLabelW+tlPlotW, axisY)
	b.WriteString("</g>\n")

	colour := 0
	for i, r := range rows {
		y := top + i*tlRowH
		fill := tlSpanColor
		if !r.span {
			fill = tlPalette[colour%len(tlPalette)]
			colour++
		}
		end, running := r.until(now), r.ended.IsZero()
		kind := "process"
		switch {
		case r.span:
			kind = "span"
		case r.worker:
			kind = "worker"
		}
		fmt.Fprintf(&b, `<g class="row %s" data-name="%s" data-pid="%d">`+"\n", kind, esc(r.name), r.pid)
		fmt.Fprintf(&b, `<title>%s</title>`+"\n", esc(w.rowSummary(r, origin, now)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="600" fill="#1f2328">%s</text>`+"\n", tlMargin+2, y+15, esc(ellipsis(r.name, tlMaxLabel)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#57606a">%s</text>`+"\n", tlMargin+2, y+28, w.subLabel(r))
		barY := y + (tlRowH-tlBarH)/2
		if !r.span && r.begun.After(r.called) {
			// Start's own time: getting the child going.
			fmt.Fprintf(&b, `<rect class="startup" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" fill-opacity="0.3"/>`+"\n",
				x(r.called), barY, math.Max(x(r.begun)-x(r.called), 0.5), tlBarH, fill)
		}
		if r.worker {
			w.drawWorker(&b, r, x, barY, fill, end)
			b.WriteString("</g>\n")
			continue
		}
		opacity := ""
		if running {
			opacity = ` fill-opacity="0.55"`
		}
		bx, bw := x(r.begun), math.Max(x(end)-x(r.begun), 1.5)
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%d" width="%.1f" height="%d" rx="2" fill="%s"%s/>`+"\n", bx, barY, bw, tlBarH, fill, opacity)
		label := formatDuration(end.Sub(r.begun))
		if running {
			label += " " + w.running
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="#1f2328">%s</text>`+"\n", bx+bw+5, barY+tlBarH-3, label)
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.String(), text
}

// drawWorker draws a Pool worker's row: its life as a light bar, a solid
// segment for each chunk it ran, and the time it was busy after them.
func (w *timelineWords) drawWorker(b *strings.Builder, r timelineRow, x func(time.Time) float64, barY int, fill string, end time.Time) {
	lx, lw := x(r.begun), math.Max(x(end)-x(r.begun), 1.5)
	fmt.Fprintf(b, `<rect class="life" x="%.1f" y="%d" width="%.1f" height="%d" rx="2" fill="%s" fill-opacity="0.18"/>`+"\n", lx, barY, lw, tlBarH, fill)
	for _, s := range r.segs {
		sx := x(s.begin)
		// At least a pixel: a chunk of a quick Map takes microseconds.
		sw := math.Max(x(s.end)-sx, 1)
		// A white edge tells back-to-back chunks apart, where it does not
		// hide a narrow one.
		edge := ""
		if sw >= 4 {
			edge = ` stroke="#ffffff" stroke-width="1"`
		}
		fmt.Fprintf(b, `<rect class="task" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"%s/>`+"\n", sx, barY, sw, tlBarH, fill, edge)
	}
	_, _, busy := r.work()
	fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="11" fill="#1f2328">%s</text>`+"\n", lx+lw+5, barY+tlBarH-3, fmt.Sprintf(w.busy, formatDuration(busy)))
}

// mentionsWorkers says whether rows has a Pool's worker.
func mentionsWorkers(rows []timelineRow) bool {
	for _, r := range rows {
		if r.worker {
			return true
		}
	}
	return false
}

func emptyTimelineSVG(title, msg string) string {
	height := 2*tlMargin + 24
	if title != "" {
		height += tlTitleH
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" style="max-width:100%%;height:auto" font-family="%s" role="img">`+"\n",
		tlWidth, height, tlWidth, height, tlFontStack)
	fmt.Fprintf(&b, `<title>%s</title>`+"\n", esc(joinTitle(title, msg)))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" rx="6" fill="#ffffff" stroke="#d0d7de"/>`+"\n", tlWidth, height)
	y := tlMargin + 18
	if title != "" {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="15" font-weight="600" fill="#1f2328">%s</text>`+"\n", tlMargin+2, y, esc(title))
		y += tlTitleH
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#57606a">%s</text>`+"\n", tlMargin+2, y, esc(msg))
	b.WriteString("</svg>\n")
	return b.String()
}

func joinTitle(title, s string) string {
	if title == "" {
		return s
	}
	return title + "\n" + s
}

// subLabel is the line under a row's name: its pid, and how a process
// ended when that is worth a look (red: not 0).
func (w *timelineWords) subLabel(r timelineRow) string {
	s := "pid " + strconv.Itoa(r.pid)
	switch {
	case r.span:
		return s + " · " + w.thisProcess
	case r.daemon:
		s += " · " + w.daemon
	case r.worker:
		chunks, _, _ := r.work()
		s += " · " + w.plural(chunks, w.task)
	}
	if r.exit.Ended() && r.exit != 0 {
		s += ` · <tspan fill="#cf222e" font-weight="600">` + fmt.Sprintf(w.exit, int(r.exit)) + `</tspan>`
	}
	return s
}

// rowSummary is a row in words, the tooltip of its bar.
func (w *timelineWords) rowSummary(r timelineRow, origin, now time.Time) string {
	var b strings.Builder
	if r.span {
		fmt.Fprintf(&b, w.spanIn, r.name, r.pid)
	} else {
		fmt.Fprintf(&b, "%s (pid %d): ", r.name, r.pid)
	}
	fmt.Fprintf(&b, w.from, formatDuration(r.begun.Sub(origin)))
	switch {
	case !r.ended.IsZero():
		fmt.Fprintf(&b, w.to, formatDuration(r.ended.Sub(origin)), formatDuration(r.ended.Sub(r.begun)))
	case r.worker:
		end := r.until(now)
		fmt.Fprintf(&b, w.toLastChunk, formatDuration(end.Sub(origin)))
	default:
		fmt.Fprintf(&b, w.runningSoFar, formatDuration(now.Sub(r.begun)))
	}
	if r.worker {
		chunks, items, busy := r.work()
		fmt.Fprintf(&b, w.ran, w.plural(chunks, w.chunk), w.plural(items, w.item), formatDuration(busy))
	}
	if !r.span {
		if r.begun.After(r.called) {
			fmt.Fprintf(&b, w.startTook, formatDuration(r.begun.Sub(r.called)))
		}
		if r.exit.Ended() {
			fmt.Fprintf(&b, w.exitCode, int(r.exit))
		}
	}
	return b.String()
}

// timelineText is the text alternative: a table with a line per row, and
// for Pools' workers a column with the work they did.
func (w *timelineWords) timelineText(title string, rows []timelineRow, origin, now time.Time) string {
	var b strings.Builder
	if title != "" {
		b.WriteString(title + "\n")
	}
	workers := mentionsWorkers(rows)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	header := w.header
	if workers {
		header += w.workHd
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		to, exit, work := w.running, "", ""
		end := r.until(now)
		if !r.ended.IsZero() || r.worker {
			to = formatDuration(end.Sub(origin))
		}
		if !r.span {
			exit = w.exitLabel(r.exit)
		}
		if r.worker {
			chunks, items, busy := r.work()
			work = fmt.Sprintf(w.workCell, w.plural(chunks, w.task), w.plural(items, w.item), formatDuration(busy))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.name, r.pid, formatDuration(r.begun.Sub(origin)), to, formatDuration(end.Sub(r.begun)), exit, work)
	}
	tw.Flush()
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ") // tabwriter pads an empty last column
	}
	return strings.Join(lines, "\n")
}

// axisTicks picks the step of the time axis (1, 2 or 5 times a power of
// ten, for at most seven intervals) and the axis's end, the first multiple
// of the step at or after total: the bars fill most of the width.
func axisTicks(total time.Duration) (step, axisMax time.Duration) {
	raw := float64(total) / 7
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = time.Duration(math.Round(m * mag))
			break
		}
	}
	step = max(step, time.Microsecond)
	n := (total + step - 1) / step
	return step, n * step
}

// tickLabel writes t in milliseconds on axes shorter than two seconds and
// in seconds on longer ones, with as many decimals as the step needs.
func tickLabel(t, step, axisMax time.Duration) string {
	unit, name := time.Second, "s"
	if axisMax < 2*time.Second {
		unit, name = time.Millisecond, "ms"
	}
	decimals := max(0, int(-math.Floor(math.Log10(float64(step)/float64(unit)))))
	return strconv.FormatFloat(float64(t)/float64(unit), 'f', decimals, 64) + " " + name
}

// formatDuration writes d with three significant digits or so: "8.4 ms",
// "250 ms", "2.01 s", "61.2 s".
func formatDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64) + " ms"
	case d < 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	case d < 100*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 0, 64) + " s"
}

func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// esc escapes text for XML content and attribute values.
func esc(s string) string { return html.EscapeString(s) }
