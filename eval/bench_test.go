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

// BenchmarkFirstCell is a new session's first cell importing fmt, time,
// sync and mp, with the type checker's importer cold, as in a kernel's
// fresh session process (issue "Cells are Go": at most 300 ms). The go
// command's build cache is warm, as after install.sh.
func BenchmarkFirstCell(b *testing.B) {
	cell := "import (\"fmt\"; \"time\"; \"sync\"; \"mp\")\nvar mu sync.Mutex\nfmt.Println(time.Duration(0), mp.CPUCount() > 0)"
	for range b.N {
		b.StopTimer()
		sharedImporter = newStdImporter()
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res := s.Execute(context.Background(), backend.ExecuteRequest{Code: cell, ExecutionCount: 1}, &recorder{})
		b.StopTimer()
		if res.Err != nil {
			b.Fatal(res.Err)
		}
		s.Close()
		b.StartTimer()
	}
}
