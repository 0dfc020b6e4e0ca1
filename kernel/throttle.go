package kernel

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// OutputLimits bound the stream output (stdout and stderr text) of one
// kernel, so that a cell printing in a tight loop cannot swamp the hub's
// proxy and the student's browser. An ordinary cell, and every lesson of
// the course, stays far below them and is never slowed or cut:
//
//   - a cell's first CellBytes of stream text are delivered; what it prints
//     after them (including later output of goroutines it started) is
//     dropped, and when the cell ends one line on its stderr says how much
//     was dropped. Its result, its error, its displays and its reply are
//     never dropped, nor is any output of the next cell;
//   - beyond a burst of Burst bytes, stream text leaves the kernel at most
//     at BytesPerSecond: the printing cell is slowed down (as by a slow
//     terminal), nothing is dropped for the rate;
//   - beyond a burst of MessageBurst, at most MessagesPerSecond stream
//     messages are begun per second: text written meanwhile is merged into
//     fewer messages, or the writer waits.
//
// A zero field turns its limit off. Nothing is reordered by the limits:
// text is only ever held back in the order it was written.
type OutputLimits struct {
	CellBytes         int64
	BytesPerSecond    int64
	Burst             int64
	MessagesPerSecond int64
	MessageBurst      int64
}

// DefaultOutputLimits are the limits of a kernel whose environment sets
// none. 4 MiB is some 100,000 lines, more than anyone reads in a cell and
// what a browser still renders; 1 MiB/s is what Jupyter Notebook's
// iopub_data_rate_limit allows; 1000 messages per second is its
// iopub_msg_rate_limit, fifty times what the stream coalescing (20 ms) makes
// of a steady print loop, and what a cell alternating stdout and stderr line
// by line (one message per line) needs not to crawl.
var DefaultOutputLimits = OutputLimits{
	CellBytes:         4 << 20,
	BytesPerSecond:    1 << 20,
	Burst:             4 << 20,
	MessagesPerSecond: 1000,
	MessageBurst:      2000,
}

// The environment variables that set the limits (the kernelspec's env
// block sets them on a hub).
const (
	EnvOutputCellLimit   = "GOMP_OUTPUT_CELL_LIMIT"
	EnvOutputRate        = "GOMP_OUTPUT_RATE"
	EnvOutputBurst       = "GOMP_OUTPUT_BURST"
	EnvOutputMessageRate = "GOMP_OUTPUT_MESSAGE_RATE"
)

// OutputLimitsFromEnv is DefaultOutputLimits with what the environment sets
// (getenv is os.Getenv): byte counts and rates as non-negative integers,
// optionally with a KiB, MiB or GiB suffix, 0 for no limit. A value that is
// not one is an error naming the variable, and leaves the default.
func OutputLimitsFromEnv(getenv func(string) string) (OutputLimits, error) {
	l := DefaultOutputLimits
	var errs []string
	for _, v := range []struct {
		name string
		dst  *int64
	}{
		{EnvOutputCellLimit, &l.CellBytes},
		{EnvOutputRate, &l.BytesPerSecond},
		{EnvOutputBurst, &l.Burst},
		{EnvOutputMessageRate, &l.MessagesPerSecond},
	} {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			continue
		}
		n, err := parseSize(s)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: %v", v.name, s, err))
			continue
		}
		*v.dst = n
	}
	l.MessageBurst = 2 * l.MessagesPerSecond
	if len(errs) > 0 {
		return l, fmt.Errorf("output limits: %s (the default is used)", strings.Join(errs, "; "))
	}
	return l, nil
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if t, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(t), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a non-negative integer (optionally with KiB, MiB or GiB)")
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("too large")
	}
	return n * mult, nil
}

func (l OutputLimits) String() string {
	per := func(n int64, unit string) string {
		if n == 0 {
			return "no limit"
		}
		return sizeText(n) + unit
	}
	msgs := "no limit"
	if l.MessagesPerSecond > 0 {
		msgs = fmt.Sprintf("%d/s", l.MessagesPerSecond)
	}
	return fmt.Sprintf("stream output: %s per cell (%s), %s beyond a burst of %s (%s, %s), %s messages (%s)",
		per(l.CellBytes, ""), EnvOutputCellLimit, per(l.BytesPerSecond, "/s"), sizeText(l.Burst),
		EnvOutputRate, EnvOutputBurst, msgs, EnvOutputMessageRate)
}

// sizeText writes n bytes the way the limits are set.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// outputThrottle applies OutputLimits to the stream text of a kernel's
// cells. The publisher asks it, for each write, what part of the text may
// go (admit) and how long to wait before sending it (pace), and tells it
// when a cell has ended (ended), which gives the notice of what was
// dropped. It is safe for concurrent use.
type outputThrottle struct {
	limits OutputLimits
	now    func() time.Time

	mu    sync.Mutex
	cells map[string]*cellOutputBudget // by the cell's parent header
	order []string                     // keys of cells, oldest first
	bytes tokenBucket
	msgs  tokenBucket
}

// cellOutputBudget is what one cell has printed.
type cellOutputBudget struct {
	sent     int64 // bytes admitted
	dropped  int64 // bytes dropped
	dropping bool  // everything from now on is dropped
	ended    bool  // the cell's execute_request has been answered
}

// rememberedCells is how many cells' budgets are kept: the running cell's
// and a few before it, whose goroutines may still print.
const rememberedCells = 64

func newOutputThrottle(l OutputLimits) *outputThrottle {
	t := &outputThrottle{limits: l, now: time.Now, cells: make(map[string]*cellOutputBudget)}
	t.bytes = tokenBucket{rate: float64(l.BytesPerSecond), burst: float64(l.Burst), tokens: float64(l.Burst)}
	t.msgs = tokenBucket{rate: float64(l.MessagesPerSecond), burst: float64(l.MessageBurst), tokens: float64(l.MessageBurst)}
	return t
}

// cellLocked returns the budget of cell, making it if needed; t.mu is held.
func (t *outputThrottle) cellLocked(cell string) *cellOutputBudget {
	b := t.cells[cell]
	if b == nil {
		b = &cellOutputBudget{}
		t.cells[cell] = b
		t.order = append(t.order, cell)
		if len(t.order) > rememberedCells {
			delete(t.cells, t.order[0])
			t.order = t.order[1:]
		}
	}
	return b
}

// admit returns the part of text (written by cell) that may be sent: all
// of it within the cell's budget, none once the budget is spent, and at the
// boundary the text up to its last line end within the budget (or none of
// it, unless it is the cell's first write: then up to a rune boundary), so
// that the cell's output stops where a line or a write ended.
// late reports that dropping began after the cell had ended, for which no
// end-of-cell notice will come.
func (t *outputThrottle) admit(cell, text string) (keep string, late bool) {
	if t.limits.CellBytes <= 0 {
		return text, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.cellLocked(cell)
	if b.dropping {
		b.dropped += int64(len(text))
		return "", false
	}
	left := t.limits.CellBytes - b.sent
	if int64(len(text)) <= left {
		b.sent += int64(len(text))
		return text, false
	}
	cut := int(left)
	switch i := strings.LastIndexByte(text[:cut], '\n'); {
	case i >= 0:
		cut = i + 1
	case b.sent == 0:
		// One long line from the start: as much of it as the budget holds.
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	default:
		cut = 0 // what was sent ends where an earlier write ended
	}
	b.sent += int64(cut)
	b.dropped += int64(len(text) - cut)
	b.dropping = true
	return text[:cut], b.ended
}

// ended records that cell has been answered and returns the notice of
// what it had dropped ("" if nothing).
func (t *outputThrottle) ended(cell string) string {
	if t.limits.CellBytes <= 0 {
		return ""
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.cellLocked(cell)
	b.ended = true
	if b.dropped == 0 {
		return ""
	}
	return fmt.Sprintf("output limit exceeded: %d bytes of this cell's output were dropped, "+
		"and so is anything it prints later (a cell may print %s; %s in the kernelspec's env)\n",
		b.dropped, sizeText(t.limits.CellBytes), EnvOutputCellLimit)
}

// lateNotice is the notice for a cell whose output starts being dropped
// after it ended (a goroutine it started goes on printing).
func (t *outputThrottle) lateNotice() string {
	return fmt.Sprintf("output limit exceeded: this cell's later output is dropped "+
		"(a cell may print %s; %s in the kernelspec's env)\n",
		sizeText(t.limits.CellBytes), EnvOutputCellLimit)
}

// pace takes n bytes, and one message if newMessage, from the kernel's
// rates and returns how long the writer must wait before sending them.
func (t *outputThrottle) pace(n int, newMessage bool) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	wait := t.bytes.take(now, float64(n))
	if newMessage {
		wait = max(wait, t.msgs.take(now, 1))
	}
	return wait
}

// tokenBucket is a rate with a burst: take may go into debt, and returns
// how long until the debt is paid.
type tokenBucket struct {
	rate, burst float64 // per second; rate 0 is no limit
	tokens      float64
	last        time.Time
}

func (b *tokenBucket) take(now time.Time, n float64) time.Duration {
	if b.rate <= 0 {
		return 0
	}
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	b.tokens -= n
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}
