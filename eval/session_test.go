package eval

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gomp/backend"
)

// recorder is a backend.Output that keeps what a cell produced.
type recorder struct {
	mu       sync.Mutex
	stdout   strings.Builder
	stderr   strings.Builder
	displays []backend.Display
	inputs   []string // answers to give, in order
	prompts  int
	noStdin  bool
}

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "stdout" {
		r.stdout.WriteString(text)
	} else {
		r.stderr.WriteString(text)
	}
}
func (r *recorder) Display(d backend.Display) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.displays = append(r.displays, d)
}
func (r *recorder) ClearOutput(bool) {}
func (r *recorder) Input(ctx context.Context, prompt string, password bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.noStdin {
		return "", backend.ErrNoStdin
	}
	r.prompts++
	if len(r.inputs) == 0 {
		r.mu.Unlock()
		<-ctx.Done()
		r.mu.Lock()
		return "", ctx.Err()
	}
	in := r.inputs[0]
	r.inputs = r.inputs[1:]
	return in, nil
}
func (r *recorder) out() string { r.mu.Lock(); defer r.mu.Unlock(); return r.stdout.String() }
func (r *recorder) err() string { r.mu.Lock(); defer r.mu.Unlock(); return r.stderr.String() }

type cellRun struct {
	res backend.ExecuteResult
	rec *recorder
}

func (c cellRun) value() string {
	if c.res.Value == nil {
		return ""
	}
	return c.res.Value["text/plain"].(string)
}

func newSession(t *testing.T) *Session {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var count int

func run(t *testing.T, s *Session, code string) cellRun {
	t.Helper()
	return runWith(t, s, code, &recorder{}, context.Background())
}

func runWith(t *testing.T, s *Session, code string, rec *recorder, ctx context.Context) cellRun {
	t.Helper()
	count++
	res := s.Execute(ctx, backend.ExecuteRequest{Code: code, ExecutionCount: count, AllowStdin: !rec.noStdin}, rec)
	return cellRun{res, rec}
}

func mustRun(t *testing.T, s *Session, code string) cellRun {
	t.Helper()
	c := run(t, s, code)
	if c.res.Err != nil {
		t.Fatalf("cell failed: %s: %s\n%s\ncode:\n%s", c.res.Err.Name, c.res.Err.Value, strings.Join(c.res.Err.Traceback, "\n"), code)
	}
	return c
}

func TestSmoke(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, "import \"fmt\"\nfmt.Println(\"hello\")\nx := 40\nfunc add(a, b int) int { return a + b }\nadd(x, 2)")
	if c.rec.out() != "hello\n" || c.value() != "42" {
		t.Fatalf("out %q value %q", c.rec.out(), c.value())
	}
	_ = time.Second
}
