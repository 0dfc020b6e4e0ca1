package bench

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gomp/backend"
	"gomp/eval"
	"gomp/native"
)

// BenchmarkNativeDispatch measures what the compiled tier costs and gains a
// call, in one run: a cell calling a trivial eligible function 1,000,000
// times from an interpreted loop (so every call crosses the prologue),
//
//   - plain: a session with the tier turned off by the environment (no prologue);
//   - prologue: the tier on but `//gomp:native off` (the prologue's check only,
//     the cost while a build is under way);
//   - compiled: the copy loaded, so every call goes interpreted → compiled;
//
// and fib(27) the same three ways (the call-heavy case of BenchmarkCallTax).
// Medians per call.
//
//	go test -run '^$' -bench NativeDispatch -benchtime 5x ./bench
func BenchmarkNativeDispatch(b *testing.B) {
	const decls = "func id(n int) int {\n\tfor n < 0 {\n\t\tn++\n\t}\n\treturn n\n}\n" + fibSource
	const loop = "acc := 0\nfor i := 0; i < 1000000; i++ {\n\tacc += id(i)\n}\nacc"
	b.Setenv("GOMP_NATIVE", "0")
	plain := newBenchSession(b, decls)
	os.Setenv("GOMP_NATIVE", "1")
	tier := newBenchSession(b, decls)
	// The build lands while the session waits for it here: a cell that
	// returns once id runs compiled (compiled Go's runtime words a bad
	// slice differently from the interpreter, see eval's native tests).
	waitCompiled(b, tier)
	var lp, lo, lc, fp, fo, fc []time.Duration
	for b.Loop() {
		lp = append(lp, timeCell(b, plain, loop))
		lo = append(lo, timeCell(b, tier, "//gomp:native off\n"+loop))
		lc = append(lc, timeCell(b, tier, "//gomp:native on\n"+loop))
		fp = append(fp, timeCell(b, plain, "fib(27)"))
		fo = append(fo, timeCell(b, tier, "//gomp:native off\nfib(27)"))
		fc = append(fc, timeCell(b, tier, "//gomp:native on\nfib(27)"))
	}
	per := func(d []time.Duration) float64 { return float64(median(d).Nanoseconds()) / 1e6 }
	b.ReportMetric(per(lp), "plain-ns/call")
	b.ReportMetric(per(lo), "prologue-ns/call")
	b.ReportMetric(per(lc), "compiled-ns/call")
	b.ReportMetric(float64(median(fp).Microseconds())/1000, "fib-plain-ms")
	b.ReportMetric(float64(median(fo).Microseconds())/1000, "fib-prologue-ms")
	b.ReportMetric(float64(median(fc).Microseconds())/1000, "fib-compiled-ms")
	b.ReportMetric(float64(median(fo))/float64(median(fp)), "fib-prologue/plain")
}

func newBenchSession(b *testing.B, decls string) *eval.Session {
	b.Helper()
	s, err := eval.New(eval.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if res := s.Execute(context.Background(), backend.ExecuteRequest{Code: decls}, discard{}); res.Err != nil {
		b.Fatal(res.Err.Value)
	}
	return s
}

func timeCell(b *testing.B, s *eval.Session, code string) time.Duration {
	b.Helper()
	t := time.Now()
	res := s.Execute(context.Background(), backend.ExecuteRequest{Code: code}, discard{})
	d := time.Since(t)
	if res.Err != nil {
		b.Fatal(res.Err.Value)
	}
	return d
}

// waitCompiled declares a probe function and runs cells until it runs
// compiled (at most a few minutes: a cold build compiles the standard
// library for plugins).
func waitCompiled(b *testing.B, s *eval.Session) {
	b.Helper()
	probe := `func slicePanic(s string) (msg string) {
	defer func() {
		switch r := recover().(type) {
		case error:
			msg = r.Error()
		case string:
			msg = r
		}
	}()
	for range 1 {
		_ = s[5:9]
	}
	return ""
}`
	if res := s.Execute(context.Background(), backend.ExecuteRequest{Code: probe}, discard{}); res.Err != nil {
		b.Fatal(res.Err.Value)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		res := s.Execute(context.Background(), backend.ExecuteRequest{Code: `slicePanic("abc")`}, discard{})
		if res.Err == nil && strings.Contains(fmt.Sprint(res.Value["text/plain"]), "slice bounds out of range") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("the compiled tier's build did not land")
}

// BenchmarkNativeBuild measures a build of a new source with the standard
// library already compiled for plugins (warm: the usual case after the
// first build on a machine, or after install.sh's warm-up), and opening a
// plugin the cache has.
//
//	go test -run '^$' -bench NativeBuild -benchtime 3x ./bench
func BenchmarkNativeBuild(b *testing.B) {
	ctx := context.Background()
	tc, err := native.Detect(ctx)
	if err != nil {
		b.Fatal(err)
	}
	c, err := native.NewCache(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	var warm, hit []time.Duration
	n := time.Now().UnixNano()
	rss0 := rssKB(b)
	for b.Loop() {
		n++
		u := native.Unit{Source: fmt.Sprintf("package main\n\nimport \"math\"\n\nfunc F(x float64) float64 { return math.Sqrt(x) + %d }\n", n)}
		t := time.Now()
		if _, err := c.Build(ctx, tc, u); err != nil {
			b.Fatal(err)
		}
		warm = append(warm, time.Since(t))
		t = time.Now()
		path, err := c.Build(ctx, tc, u)
		if err == nil {
			_, err = native.Open(path)
		}
		if err != nil {
			b.Fatal(err)
		}
		hit = append(hit, time.Since(t))
	}
	b.ReportMetric(float64(rssKB(b)-rss0)/float64(len(hit)), "rss-kB/plugin")
	b.ReportMetric(float64(median(warm).Milliseconds()), "warm-build-ms")
	b.ReportMetric(float64(median(hit).Microseconds())/1000, "cached-open-ms")
}

// rssKB reads the process's resident set size.
func rssKB(b *testing.B) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
