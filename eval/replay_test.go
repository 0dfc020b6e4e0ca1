package eval

import (
	"strings"
	"testing"
)

// A session started from another's replay log has its imports, types,
// constants, functions and methods, and its variables at their zero
// values; later cells are checked against all of them.
func TestReplayCarriesDeclarationsNotValues(t *testing.T) {
	old := newSession(t)
	mustRun(t, old, `import "strings"

type point struct{ X, Y int }

func (p point) String() string { return strings.Repeat("*", p.X+p.Y) }

const scale = 3

var hits = map[string]int{"a": 1}
total := 42

func bump(n int) int { total += n; return total * scale }`)
	first, err := old.ReplayLog()
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, old, `total = 7`)
	again, err := old.ReplayLog()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(first) {
		t.Errorf("a cell that declared nothing changed the log")
	}

	fresh := newSession(t)
	if err := fresh.Replay(first); err != nil {
		t.Fatal(err)
	}
	if got := mustRun(t, fresh, `bump(2)`).value(); got != "6" {
		t.Errorf("bump(2) after the replay = %s, want 6 (total reset to 0)", got)
	}
	if got := mustRun(t, fresh, `point{1, 2}.String()`).value(); got != `"***"` {
		t.Errorf("a method after the replay: %s", got)
	}
	if got := mustRun(t, fresh, `hits == nil`).value(); got != "true" {
		t.Errorf("hits after the replay: nil is %s, want true (zero value)", got)
	}
	c := run(t, fresh, `var s string = total`)
	if c.res.Err == nil || c.res.Err.Name != "CompileError" {
		t.Errorf("the checker does not know total's type after the replay: %+v", c.res.Err)
	}
	// A redefinition after the replay rebuilds from the replayed log.
	mustRun(t, fresh, `func bump(n int) int { return -n }`)
	if got := mustRun(t, fresh, `bump(2) + scale`).value(); got != "1" {
		t.Errorf("bump redefined after the replay: %s", got)
	}
}

// A log that cannot be replayed leaves the session fresh and says why.
func TestReplayOfABadLogLeavesAFreshSession(t *testing.T) {
	s := newSession(t)
	if err := s.Replay([]byte(`{"decls":[{"keys":["func f"],"kind":"func","text":"func f() { undefinedThing() }","file":"gomp1.go","line":1}]}`)); err == nil {
		t.Fatal("a log that does not compile replayed")
	} else if !strings.Contains(err.Error(), "replaying") {
		t.Errorf("error: %v", err)
	}
	if got := mustRun(t, s, `func f() int { return 5 }; f()`).value(); got != "5" {
		t.Errorf("the session after a failed replay: %s", got)
	}
	if err := s.Replay([]byte("not json")); err == nil {
		t.Error("a malformed log replayed")
	}
}
