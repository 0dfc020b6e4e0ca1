package display

import (
	"strings"
	"sync"
	"testing"
)

// TestConcurrentUse runs displays, a shared handle and a shared progress bar
// from many goroutines while the current output changes, for -race.
func TestConcurrentUse(t *testing.T) {
	a, b := &recorder{}, &recorder{}
	SetOutput(a)
	t.Cleanup(func() { SetOutput(nil) })

	const workers, steps = 8, 500
	h := NewHandle()
	p := NewProgress(workers * steps)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range steps {
				p.Add(1)
				if i%50 == 0 {
					HTML("<i>w</i>")
					h.Text(string(rune('a' + w)))
				}
			}
		}()
	}
	for i := range 100 { // swap outputs while the workers run
		if i%2 == 0 {
			SetOutput(b)
		} else {
			SetOutput(a)
		}
	}
	wg.Wait()

	all := append(a.Displays(), b.Displays()...)
	firsts := 0
	for _, d := range all {
		if d.DisplayID == h.ID() && !d.Update {
			firsts++
		}
	}
	if firsts != 1 {
		t.Errorf("the shared handle was shown %d times, want once then updates", firsts)
	}
	final := false
	for _, d := range all {
		if d.DisplayID == p.h.ID() && strings.Contains(plain(d), "4000/4000  100%") {
			final = true
		}
	}
	if !final {
		t.Error("the progress bar never showed its final state")
	}
}
