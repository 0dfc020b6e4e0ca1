package mp

import (
	"context"
	"os"
	"sync/atomic"

	"gomp/backend"
)

// switchedOutput is where a pool's workers' output goes: the cell of the
// last call made on the pool. A pool lives across cells, and what a task
// prints belongs under the cell that asked for it, not under the cell
// that made the pool. A nil Output is this process's stdout and stderr.
type switchedOutput struct {
	cur atomic.Pointer[outputBox]
}

type outputBox struct{ out backend.Output }

func newSwitchedOutput() *switchedOutput { return &switchedOutput{} }

func (s *switchedOutput) set(out backend.Output) {
	if out == nil {
		s.cur.Store(nil)
		return
	}
	s.cur.Store(&outputBox{out})
}

func (s *switchedOutput) get() backend.Output {
	if b := s.cur.Load(); b != nil {
		return b.out
	}
	return nil
}

func (s *switchedOutput) Stream(name, text string) {
	if out := s.get(); out != nil {
		out.Stream(name, text)
	} else if name == "stderr" {
		os.Stderr.WriteString(text)
	} else {
		os.Stdout.WriteString(text)
	}
}

func (s *switchedOutput) Display(d backend.Display) {
	if out := s.get(); out != nil {
		out.Display(d)
	}
}

func (s *switchedOutput) ClearOutput(wait bool) {
	if out := s.get(); out != nil {
		out.ClearOutput(wait)
	}
}

func (s *switchedOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return "", backend.ErrNoStdin
}
