package native

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A plugin is built with this test binary's own settings (the race detector
// under go test -race), opened, and called; the second Build of the same
// source is the cache's file.
func TestBuildOpenCall(t *testing.T) {
	ctx := context.Background()
	tc, err := Detect(ctx)
	if err != nil {
		noToolchain(t, err)
	}
	c, err := NewCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u := Unit{Source: "package main\n\nimport \"strings\"\n\nfunc Shout(s string) string { return strings.ToUpper(s) + \"!\" }\n"}
	path, err := c.Build(ctx, tc, u)
	if err != nil {
		t.Fatal(err)
	}
	if path != c.Path(c.Key(u)) {
		t.Fatalf("built %s, want the cache's path %s", path, c.Path(c.Key(u)))
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Build(ctx, tc, u)
	if err != nil || again != path {
		t.Fatalf("second build: %s, %v", again, err)
	}
	if st2, err := os.Stat(path); err != nil || !os.SameFile(st, st2) {
		t.Fatal("the second build rebuilt the plugin instead of using the cache")
	}
	lib, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sym, err := lib.Lookup("Shout")
	if err != nil {
		t.Fatal(err)
	}
	shout, ok := sym.(func(string) string)
	if !ok {
		t.Fatalf("Shout is a %T", sym)
	}
	if got := shout("hola"); got != "HOLA!" {
		t.Fatalf("Shout(hola) = %q", got)
	}
	if _, err := lib.Lookup("Whisper"); err == nil {
		t.Fatal("looking up a missing symbol succeeded")
	}
}

// A unit that does not compile fails with the compiler's words, and leaves
// nothing in the cache.
func TestBuildFailure(t *testing.T) {
	ctx := context.Background()
	tc, err := Detect(ctx)
	if err != nil {
		noToolchain(t, err)
	}
	dir := t.TempDir()
	c, err := NewCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Build(ctx, tc, Unit{Source: "package main\n\nfunc F() int { return \"x\" }\n"})
	if err == nil || !strings.Contains(err.Error(), "cannot use \"x\"") {
		t.Fatalf("error = %v, want the compiler's message", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("the cache keeps %d entries after a failed build", len(entries))
	}
}

// Keys differ by source and are stable.
func TestKey(t *testing.T) {
	c := &Cache{fingerprint: "f"}
	a, b := c.Key(Unit{Source: "a"}), c.Key(Unit{Source: "b"})
	if a == b || a != c.Key(Unit{Source: "a"}) {
		t.Fatalf("keys %s %s", a, b)
	}
}

// noToolchain skips a test where plugins cannot be built (no C compiler for
// cgo, no go command), saying so; in CI, which installs gcc, it fails.
func noToolchain(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("no toolchain for plugins: %v", err)
	}
	t.Skipf("no toolchain for plugins here (install gcc and libc6-dev; the kernel then stays interpreted): %v", err)
}

// The cache is trimmed, least recently used first, to its bound; stale
// build directories go, plugins under the bound stay.
func TestTrim(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	for i, name := range []string{"a.so", "b.so", "c.so"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, make([]byte, 100), 0o600); err != nil {
			t.Fatal(err)
		}
		when := old.Add(time.Duration(i) * time.Minute)
		os.Chtimes(p, when, when)
	}
	stale := filepath.Join(dir, "build-1")
	os.Mkdir(stale, 0o700)
	os.Chtimes(stale, old, old)
	fresh := filepath.Join(dir, "build-2")
	os.Mkdir(fresh, 0o700)
	trim(dir, 250)
	for name, want := range map[string]bool{"a.so": false, "b.so": true, "c.so": true, "build-1": false, "build-2": true} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", name, err == nil, want)
		}
	}
}
