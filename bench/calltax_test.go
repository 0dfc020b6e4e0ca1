// Package bench holds the benchmarks that are Go code; the others are the
// Python scripts beside this file. Figures go to README.md.
package bench

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"gomp/backend"
	"gomp/eval"
)

const fibSource = `func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}`

// BenchmarkCallTax measures what gomp adds to a call-heavy cell: fib(27)
// in a gomp cell against plain yaegi on the same source, alternating in one
// run, and reports the medians and their ratio (issue "Cells are Go": at
// most 1.1).
//
//	go test -run '^$' -bench CallTax -benchtime 7x ./bench
func BenchmarkCallTax(b *testing.B) {
	// The interpreter's own tax: with the compiled tier, fib would run
	// compiled once its build lands (BenchmarkNativeDispatch measures that,
	// and the tier's prologue).
	b.Setenv("GOMP_NATIVE", "0")
	s, err := eval.New(eval.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	out := discard{}
	if res := s.Execute(context.Background(), backend.ExecuteRequest{Code: fibSource}, out); res.Err != nil {
		b.Fatal(res.Err)
	}
	plain := interp.New(interp.Options{})
	if err := plain.Use(stdlib.Symbols); err != nil {
		b.Fatal(err)
	}
	if _, err := plain.Eval(fibSource); err != nil {
		b.Fatal(err)
	}
	var cell, raw []time.Duration
	for b.Loop() {
		t := time.Now()
		res := s.Execute(context.Background(), backend.ExecuteRequest{Code: "fib(27)"}, out)
		cell = append(cell, time.Since(t))
		if res.Err != nil || res.Value["text/plain"] != "196418" {
			b.Fatalf("cell: %+v %v", res.Err, res.Value)
		}
		t = time.Now()
		v, err := plain.Eval("fib(27)")
		raw = append(raw, time.Since(t))
		if err != nil || v.Int() != 196418 {
			b.Fatal(err)
		}
	}
	mc, mr := median(cell), median(raw)
	b.ReportMetric(float64(mc.Milliseconds()), "cell-ms")
	b.ReportMetric(float64(mr.Milliseconds()), "yaegi-ms")
	b.ReportMetric(float64(mc)/float64(mr), "ratio")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

type discard struct{}

func (discard) Stream(string, string)   {}
func (discard) Display(backend.Display) {}
func (discard) ClearOutput(bool)        {}
func (discard) Input(context.Context, string, bool) (string, error) {
	return "", backend.ErrNoStdin
}
