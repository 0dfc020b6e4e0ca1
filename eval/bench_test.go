package eval

import (
	"context"
	"fmt"
	"strings"
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

// BenchmarkIdentifyTarget is what mp's Start, Apply, ApplyAsync and Map
// pay to learn which function they were given, in a session of 200
// declarations (bench/pool.py measures ApplyAsync+Get beside CPython).
func BenchmarkIdentifyTarget(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var src strings.Builder
	for i := range 200 {
		fmt.Fprintf(&src, "func f%d(x int) int { return x + %d }\n", i, i)
	}
	src.WriteString("func sq(x int) int { return x * x }\n")
	rec := &recorder{}
	if res := s.Execute(context.Background(), backend.ExecuteRequest{Code: src.String(), ExecutionCount: 1}, rec); res.Err != nil {
		b.Fatal(res.Err)
	}
	fn, err := s.in.Eval(targetPrefix + "sq") // the value a cell's sq hands mp
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if t, err := s.Identify(fn); err != nil || t.Func != "sq" {
			b.Fatalf("Identify: %+v, %v", t, err)
		}
	}
}
