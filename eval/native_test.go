package eval

import (
	"context"
	"os"
	"testing"
	"time"
)

// The package's other tests run the interpreter alone: the tier would build
// plugins in the background of every test that declares a function. The
// tests here turn it on for their sessions (nativeSession).
func init() {
	if os.Getenv(nativeEnv) == "" {
		os.Setenv(nativeEnv, "0")
	}
}

// nativeSession is a session with the compiled tier on, building into a
// test's own cache directory... shared by the package's tests, so that a
// plugin is built once per test binary.
func nativeSession(t *testing.T) *Session {
	t.Helper()
	s := newSession(t)
	s.native.allowed = true
	return s
}

// awaitNative waits until the builds under way have landed (or failed).
func awaitNative(t *testing.T, s *Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := s.native.waitBuilds(ctx); err != nil {
		t.Fatalf("waiting for the compiled tier's builds: %v", err)
	}
	if s.native.noTool {
		t.Fatalf("no toolchain for the compiled tier (go, cgo) here")
	}
}

// loaded reports whether name's current definition runs compiled.
func loaded(s *Session, name string) bool {
	t := s.native
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.defs[name]
	return d != nil && t.slots[d.slot].loaded && len(t.ready[d.slot]) == 1
}

const primes = `import "math"

func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	r := int(math.Sqrt(float64(n)))
	for i := 2; i <= r; i++ {
		if n%i == 0 {
			return false
		}
	}
	return true
}

func countPrimes(limit int) int {
	c := 0
	for i := range limit {
		if isPrime(i) {
			c++
		}
	}
	return c
}`

func TestNativeTierRunsPrimesCompiled(t *testing.T) {
	s := nativeSession(t)
	mustRun(t, s, primes)
	before := mustRun(t, s, "countPrimes(30000)").value()
	awaitNative(t, s)
	if !loaded(s, "isPrime") || !loaded(s, "countPrimes") {
		t.Fatal("the build landed but the functions have no compiled copy")
	}
	if after := mustRun(t, s, "countPrimes(30000)").value(); after != before || after != "3245" {
		t.Fatalf("interpreted %s, compiled %s, want 3245", before, after)
	}
}
