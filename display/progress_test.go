package display

import (
	"strings"
	"testing"
	"time"

	"gomp/backend"
)

func plain(d backend.Display) string { s, _ := d.Data["text/plain"].(string); return s }

func TestProgressThrottlesAMillionAdds(t *testing.T) {
	r := record(t)
	const total = 1_000_000
	start := time.Now()
	p := NewProgress(total)
	for range total {
		p.Add(1)
	}
	elapsed := time.Since(start)

	ds := r.Displays()
	// The first draw, one per interval at most, and the final one.
	if limit := 2 + int(elapsed/redrawInterval) + 1; len(ds) > limit {
		t.Errorf("%d draws in %v, want at most %d", len(ds), elapsed, limit)
	}
	if ds[0].Update || !strings.Contains(plain(ds[0]), "0/1000000  0%") {
		t.Errorf("first draw = %+v", ds[0])
	}
	last := ds[len(ds)-1]
	if !last.Update || last.DisplayID != ds[0].DisplayID {
		t.Errorf("final draw is not an update of the bar: %+v", last)
	}
	if !strings.Contains(plain(last), "1000000/1000000  100%") {
		t.Errorf("final draw = %q", plain(last))
	}
	html, _ := last.Data["text/html"].(string)
	if !strings.Contains(html, `<progress value="1000000" max="1000000"`) {
		t.Errorf("final html = %q", html)
	}
	t.Logf("%d draws for %d Add calls in %v", len(ds), total, elapsed)
}

func TestProgressTrailingRedraw(t *testing.T) {
	r := record(t)
	p := NewProgress(10)
	p.Set(3) // within the interval of the first draw: deferred
	if n := len(r.Displays()); n != 1 {
		t.Fatalf("Set right after NewProgress drew at once (%d displays)", n)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(r.Displays()) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the deferred redraw never came")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := plain(r.Displays()[1]); !strings.Contains(got, "3/10  30%") {
		t.Errorf("deferred redraw = %q", got)
	}
}

func TestFlushAndDoneDrawPendingState(t *testing.T) {
	r := record(t)
	a, b := NewProgress(10), NewProgress(10)
	a.Set(4)
	b.Set(6)
	Flush()
	ds := r.Displays()
	if len(ds) != 4 {
		t.Fatalf("after Flush: %d displays, want 4", len(ds))
	}
	if len(pending.list()) != 0 {
		t.Error("Flush left bars pending")
	}
	a.Set(5)
	a.Done()
	if got := plain(r.Displays()[4]); !strings.Contains(got, "5/10  50%") {
		t.Errorf("after Done: %q", got)
	}
	a.Done() // nothing changed: no redraw
	if n := len(r.Displays()); n != 5 {
		t.Errorf("Done without a change drew again (%d displays)", n)
	}
}

func TestProgressUnknownTotalAndOvershoot(t *testing.T) {
	r := record(t)
	p := NewProgress(0)
	p.Add(7)
	p.Done()
	if got := plain(r.Displays()[1]); !strings.HasPrefix(got, "7  ") {
		t.Errorf("unknown total: %q", got)
	}

	q := NewProgress(2)
	q.Set(2) // reaching the total draws at once
	before := len(r.Displays())
	for range 1000 {
		q.Add(1) // past the total: throttled like any change
	}
	q.Done()
	if n := len(r.Displays()) - before; n > 3 {
		t.Errorf("1000 Adds past the total drew %d times", n)
	}
	if got := plain(r.Displays()[len(r.Displays())-1]); !strings.Contains(got, "1002/2  100%") {
		t.Errorf("overshoot: %q", got)
	}
}

func TestProgressText(t *testing.T) {
	got := progressText(37, 100, 1234*time.Millisecond)
	want := "[" + strings.Repeat("=", 11) + ">" + strings.Repeat(" ", 18) + "]  37/100  37%  1.2s"
	if got != want {
		t.Errorf("progressText = %q\nwant           %q", got, want)
	}
	if got := progressText(5, 5, 0); !strings.HasPrefix(got, "["+strings.Repeat("=", 30)+"]") {
		t.Errorf("full bar = %q", got)
	}
}
