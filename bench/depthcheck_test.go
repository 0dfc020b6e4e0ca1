package bench

import (
	"reflect"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// BenchmarkDepthCheckTax measures the cheapest recursion-depth check an
// interpreted function could make, a call at its top into one compiled
// function that does nothing (a real check would read the goroutine's
// stack on top of it), on fib(27) against the same fib without it, in
// plain yaegi, alternating in one run. It is why gomp does not turn a
// stack overflow into a panic (bench/README.md): the call alone costs more
// than the 1.1 × plain yaegi a call-heavy cell may take.
//
//	go test -run '^$' -bench DepthCheckTax -benchtime 7x ./bench
func BenchmarkDepthCheckTax(b *testing.B) {
	checked := interp.New(interp.Options{})
	plain := interp.New(interp.Options{})
	for _, in := range []*interp.Interpreter{checked, plain} {
		if err := in.Use(stdlib.Symbols); err != nil {
			b.Fatal(err)
		}
	}
	if err := checked.Use(interp.Exports{"depth/depth": {"Check": reflect.ValueOf(func() {})}}); err != nil {
		b.Fatal(err)
	}
	if _, err := checked.Eval(`import "depth"`); err != nil {
		b.Fatal(err)
	}
	if _, err := checked.Eval(`func fib(n int) int {
	depth.Check()
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}`); err != nil {
		b.Fatal(err)
	}
	if _, err := plain.Eval(fibSource); err != nil {
		b.Fatal(err)
	}
	var withCheck, without []time.Duration
	for b.Loop() {
		for _, r := range []struct {
			in  *interp.Interpreter
			got *[]time.Duration
		}{{checked, &withCheck}, {plain, &without}} {
			t := time.Now()
			v, err := r.in.Eval("fib(27)")
			*r.got = append(*r.got, time.Since(t))
			if err != nil || v.Int() != 196418 {
				b.Fatal(err)
			}
		}
	}
	mc, mp := median(withCheck), median(without)
	b.ReportMetric(float64(mc.Milliseconds()), "checked-ms")
	b.ReportMetric(float64(mp.Milliseconds()), "yaegi-ms")
	b.ReportMetric(float64(mc)/float64(mp), "ratio")
}
