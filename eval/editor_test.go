package eval

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"gomp/backend"
)

func TestCompleteAfterPackageDot(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "fmt"`)
	code := "x := 1\nfmt.Pri"
	c := s.Complete(code, utf8.RuneCountInString(code))
	if !slices.Contains(c.Matches, "Println") || slices.Contains(c.Matches, "Sprintf") {
		t.Fatalf("matches %v", c.Matches)
	}
	if c.CursorStart != utf8.RuneCountInString("x := 1\nfmt.") || c.CursorEnd != utf8.RuneCountInString(code) {
		t.Fatalf("cursor %d..%d", c.CursorStart, c.CursorEnd)
	}
}

func TestCompleteInsideImport(t *testing.T) {
	s := newSession(t)
	for _, code := range []string{`import "math/ra`, "import (\n\t\"fmt\"\n\t\"math/ra"} {
		c := s.Complete(code, utf8.RuneCountInString(code))
		if !slices.Contains(c.Matches, "math/rand") {
			t.Fatalf("%q: matches %v", code, c.Matches)
		}
		if c.CursorStart != strings.LastIndex(code, `"`)+1 {
			t.Fatalf("%q: start %d", code, c.CursorStart)
		}
	}
}

func TestCompleteSessionNamesAndFields(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "type Worker struct{ Name string }\nfunc (w Worker) Greet() string { return w.Name }\nfunc workerCount() int { return 3 }\nwk := Worker{}\nwordy := 2")
	code := "wo"
	c := s.Complete(code, 2)
	for _, want := range []string{"workerCount", "wordy"} {
		if !slices.Contains(c.Matches, want) {
			t.Fatalf("matches %v lack %s", c.Matches, want)
		}
	}
	code = "wk.Gr"
	if c := s.Complete(code, len(code)); !slices.Contains(c.Matches, "Greet") {
		t.Fatalf("fields/methods: %v", c.Matches)
	}
	// Cursor counts runes: a multi-byte letter before the word shifts bytes, not runes.
	code = "é := 1\nwor"
	if c := s.Complete(code, utf8.RuneCountInString(code)); c.CursorStart != utf8.RuneCountInString("é := 1\n") {
		t.Fatalf("rune cursor: %d", c.CursorStart)
	}
}

func TestInspectStdlibAndSession(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "import \"fmt\"\n// double doubles.\nfunc double(x int) int { return 2 * x }\nlimit := 10")
	for code, want := range map[string]string{
		"fmt.Println(":  "func Println(a ...any) (n int, err error)",
		"double(3)":     "doubles",
		"limit":         "var limit int",
		"len(x)":        "func len(v Type) int",
		"strings.Split": "func Split(s, sep string) []string",
	} {
		in := s.Inspect(code, 2, 0)
		if !in.Found || !strings.Contains(in.Data["text/plain"].(string), want) {
			t.Errorf("Inspect(%q): found=%v %v", code, in.Found, in.Data["text/plain"])
		}
	}
	if in := s.Inspect("nothingHere", 3, 0); in.Found {
		t.Fatalf("found %v", in.Data)
	}
}

func TestHelpPageHasTheDoc(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, "?fmt.Println")
	data := c.res.Payloads[0]["data"].(backend.MIMEBundle)
	if !strings.Contains(data["text/plain"].(string), "func Println(a ...any)") {
		t.Fatalf("page: %v", data)
	}
}
