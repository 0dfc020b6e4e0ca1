package display

import (
	"context"
	"sync"
	"testing"

	"gomp/backend"
)

// recorder is a fake backend.Output that keeps what it receives.
type recorder struct {
	mu       sync.Mutex
	displays []backend.Display
	streams  []streamWrite
	clears   []bool
}

type streamWrite struct{ name, text string }

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams = append(r.streams, streamWrite{name, text})
}

func (r *recorder) Display(d backend.Display) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.displays = append(r.displays, d)
}

func (r *recorder) ClearOutput(wait bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clears = append(r.clears, wait)
}

func (r *recorder) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return "", backend.ErrNoStdin
}

func (r *recorder) Displays() []backend.Display {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]backend.Display(nil), r.displays...)
}

func (r *recorder) Streams() []streamWrite {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]streamWrite(nil), r.streams...)
}

// record makes a fresh recorder the current output for one test.
func record(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	SetOutput(r)
	t.Cleanup(func() { SetOutput(nil) })
	return r
}

// only returns the single display r received, failing otherwise.
func only(t *testing.T, r *recorder) backend.Display {
	t.Helper()
	ds := r.Displays()
	if len(ds) != 1 {
		t.Fatalf("got %d displays, want 1: %#v", len(ds), ds)
	}
	return ds[0]
}
