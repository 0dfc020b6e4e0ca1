package eval

import (
	"context"
	"testing"

	"gomp/backend"
)

// BenchmarkTrivialCell is the interpreter's part of the kernel's round
// trip for a trivial cell (bench/ measures the whole trip).
func BenchmarkTrivialCell(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rec := &recorder{}
	for i := 0; b.Loop(); i++ {
		res := s.Execute(context.Background(), backend.ExecuteRequest{Code: "1 + 1", ExecutionCount: i + 1}, rec)
		if res.Err != nil {
			b.Fatal(res.Err)
		}
	}
}
