package kernel

import (
	"strings"
	"testing"
	"time"
)

// streamTexts joins the text of the stream messages among out, by stream.
func streamTexts(t *testing.T, out []Message) map[string]string {
	t.Helper()
	texts := map[string]string{}
	for _, m := range out {
		if m.Header.MsgType == "stream" {
			var s streamContent
			decodeContentTo(t, m, &s)
			texts[s.Name] += s.Text
		}
	}
	return texts
}

// A cell that prints past its budget gets its first bytes, cut at a line
// end, then one notice on stderr with the count dropped; its display, its
// error and its reply are all there, in order, and the next cell's output
// is whole.
func TestFloodIsCutWithOneNotice(t *testing.T) {
	h := startKernel(t, harnessOptions{output: &OutputLimits{CellBytes: 1001}})
	id := h.c.execute("flood 5000", nil)
	reply := h.c.reply(h.c.shellIn, id, "execute_reply")
	if got := contentField(t, reply, "status"); got != "error" {
		t.Errorf("reply status %v, want error", got)
	}
	out := h.c.outputs(id)
	types := msgTypes(out)
	if !strings.HasPrefix(types, "status:busy execute_input stream") ||
		!strings.HasSuffix(types, "stream display_data stream error status:idle") {
		t.Fatalf("iopub: %s", types)
	}
	texts := streamTexts(t, out)
	if want := strings.Repeat("x\n", 500); texts["stdout"] != want { // not the 501st "x" alone
		t.Errorf("stdout: %d bytes, want the first %d (whole lines within the budget)", len(texts["stdout"]), len(want))
	}
	notice := texts["stderr"]
	if strings.Count(notice, "\n") != 1 || !strings.Contains(notice, "output limit exceeded: 9000 bytes") ||
		!strings.Contains(notice, EnvOutputCellLimit) {
		t.Errorf("notice %q", notice)
	}
	// The notice comes when the cell has ended, before its error.
	if last := out[len(out)-3]; last.Header.MsgType != "stream" || contentField(t, last, "name") != "stderr" {
		t.Errorf("the notice is not the cell's last stream: %s", types)
	}

	id = h.c.execute("many 400", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	texts = streamTexts(t, h.c.outputs(id))
	if texts["stdout"] != strings.Repeat("x\n", 400) || texts["stderr"] != "" {
		t.Errorf("the next cell: %d bytes of stdout, stderr %q", len(texts["stdout"]), texts["stderr"])
	}
}

// Output that starts being dropped after its cell ended (a goroutine of the
// cell goes on printing) gets its own notice, under that cell.
func TestLateFloodGetsANotice(t *testing.T) {
	h := startKernel(t, harnessOptions{output: &OutputLimits{CellBytes: 2}})
	id := h.c.execute("background", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	h.c.outputs(id)
	close(h.interp.release)
	<-h.interp.lateDone
	m := h.c.recv(h.c.iopubIn, "late stream")
	if parentID(m) != id || contentField(t, m, "text") != "la" {
		t.Errorf("late output: %s for %s: %s", m.Header.MsgType, parentID(m), m.Content)
	}
	m = h.c.recv(h.c.iopubIn, "late notice")
	text, _ := contentField(t, m, "text").(string)
	if parentID(m) != id || contentField(t, m, "name") != "stderr" || !strings.Contains(text, "later output is dropped") {
		t.Errorf("late notice: %s for %s: %s", m.Header.MsgType, parentID(m), m.Content)
	}
}

// With the default limits, ordinary cells are never cut.
func TestDefaultLimitsLeaveOrdinaryCellsAlone(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	for range 3 {
		id := h.c.execute("many 20000", nil) // 40 KB
		h.c.reply(h.c.shellIn, id, "execute_reply")
		texts := streamTexts(t, h.c.outputs(id))
		if texts["stdout"] != strings.Repeat("x\n", 20000) || texts["stderr"] != "" {
			t.Fatalf("%d bytes of stdout, stderr %q", len(texts["stdout"]), texts["stderr"])
		}
	}
}

func TestAdmitCutsAtLinesAndRunes(t *testing.T) {
	for _, c := range []struct {
		budget int64
		writes []string
		keep   []string
	}{
		{10, []string{"abc\n", "defgh\nijk\n", "l\n"}, []string{"abc\n", "defgh\n", ""}},
		{5, []string{"ññññ"}, []string{"ññ"}}, // no line end: a rune boundary (ñ is 2 bytes)
		{4, []string{"abcd", "e", "f\n"}, []string{"abcd", "", ""}},
		{0, []string{"anything"}, []string{"anything"}}, // no limit
	} {
		th := newOutputThrottle(OutputLimits{CellBytes: c.budget})
		for i, w := range c.writes {
			if got, _ := th.admit("cell", w); got != c.keep[i] {
				t.Errorf("budget %d, write %q: kept %q, want %q", c.budget, w, got, c.keep[i])
			}
		}
		if got, _ := th.admit("other cell", "x\n"); got != "x\n" {
			t.Errorf("budget %d: another cell kept %q", c.budget, got)
		}
	}
}

func TestPaceKeepsTheRates(t *testing.T) {
	type step struct {
		advance time.Duration
		bytes   int
		newMsg  bool
		wait    time.Duration
	}
	for _, c := range []struct {
		limits OutputLimits
		steps  []step
	}{
		{OutputLimits{BytesPerSecond: 1000, Burst: 2000}, []step{
			{0, 2000, true, 0},                     // the burst
			{0, 500, true, 500 * time.Millisecond}, // 500 bytes of debt at 1000/s
			{time.Second, 600, false, 100 * time.Millisecond},
			{10 * time.Second, 2000, false, 0}, // refilled up to the burst only
			{0, 1, false, time.Millisecond},
		}},
		{OutputLimits{MessagesPerSecond: 10, MessageBurst: 2}, []step{
			{0, 1 << 20, true, 0}, {0, 1, true, 0}, // the burst
			{0, 1, true, 100 * time.Millisecond},
			{0, 1, true, 200 * time.Millisecond},
			{0, 1, false, 0}, // merged into the pending message: no message taken
			{time.Second, 1, true, 0},
		}},
		{OutputLimits{}, []step{{0, 1 << 30, true, 0}, {0, 1 << 30, true, 0}}},
	} {
		now := time.Unix(1000, 0)
		th := newOutputThrottle(c.limits)
		th.now = func() time.Time { return now }
		for i, s := range c.steps {
			now = now.Add(s.advance)
			if got := th.pace(s.bytes, s.newMsg); got != s.wait {
				t.Errorf("%+v, step %d: wait %v, want %v", c.limits, i, got, s.wait)
			}
		}
	}
}

func TestOutputLimitsFromEnv(t *testing.T) {
	env := map[string]string{
		EnvOutputCellLimit:   "16MiB",
		EnvOutputRate:        "0",
		EnvOutputBurst:       " 512 KiB ",
		EnvOutputMessageRate: "50",
	}
	l, err := OutputLimitsFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := OutputLimits{CellBytes: 16 << 20, BytesPerSecond: 0, Burst: 512 << 10, MessagesPerSecond: 50, MessageBurst: 100}
	if l != want {
		t.Errorf("got %+v, want %+v", l, want)
	}
	l, err = OutputLimitsFromEnv(func(string) string { return "" })
	if err != nil || l != DefaultOutputLimits {
		t.Errorf("empty environment: %+v, %v", l, err)
	}
	env = map[string]string{EnvOutputCellLimit: "lots", EnvOutputRate: "-1"}
	l, err = OutputLimitsFromEnv(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), EnvOutputCellLimit) || !strings.Contains(err.Error(), EnvOutputRate) {
		t.Errorf("bad values: error %v", err)
	}
	if l != DefaultOutputLimits {
		t.Errorf("bad values: %+v, want the defaults", l)
	}
}
