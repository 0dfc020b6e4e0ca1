package eval

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
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

// Completion comes from the type checker: the fields and methods of any
// expression's type (the notebook's own types, promoted fields), the
// locals in scope at the cursor.
func TestCompleteFromTheTypeChecker(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "strings"
type Base struct{ ID int }
type Worker struct {
	Base
	Name string
}
func (w *Worker) Greet() string { return "hi " + w.Name }
workers := []Worker{{Name: "ana"}}`)
	cases := []struct {
		code string
		want []string
	}{
		{"workers[0].", []string{"Base", "Greet", "ID", "Name"}},
		{"var b strings.Builder\nb.Wr", []string{"Write", "WriteByte", "WriteRune", "WriteString"}},
		{"func f(count int) {\n\tcou", []string{"count"}},
		{"strings.ToU", []string{"ToUpper", "ToUpperSpecial"}},
	}
	for _, c := range cases {
		got := s.Complete(c.code, utf8.RuneCountInString(c.code)).Matches
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %v lacks %q", c.code, got, w)
			}
		}
	}
}

// The editor never waits for a running cell.
func TestEditorAnswersWhileACellRuns(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "import (\"fmt\"; \"time\")\ntype Job struct{ N int }\nj := Job{3}")
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		runWith(t, s, "fmt.Println(\"running\")\ntime.Sleep(time.Hour)", rec, ctx)
	}()
	for !strings.Contains(rec.out(), "running") {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.Complete("j.", 2).Matches; !slices.Contains(got, "N") {
		t.Errorf("completion during a cell: %v", got)
	}
	if in := s.Inspect("j", 1, 0); !in.Found || !strings.Contains(in.Data["text/plain"].(string), "Job") {
		t.Errorf("inspection during a cell: %+v", in)
	}
	cancel()
	<-done
}
