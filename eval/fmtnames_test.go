package eval

import (
	"os"
	"strings"
	"testing"
)

// cellOf makes the body of a testdata program into one cell: its imports,
// declarations and main's statements (a cell runs statements, not main).
func cellOf(t *testing.T, path string) string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	text = text[strings.Index(text, "import"):]
	text = strings.Replace(text, "func main() {", "", 1)
	return strings.TrimSuffix(strings.TrimSpace(text), "}")
}

func TestFmtPrintsCellTypesAsGoDoes(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, cellOf(t, "testdata/fmtnames/main.go"))
	// want.txt is what `go run main.go` prints (Go 1.26.8).
	want, err := os.ReadFile("testdata/fmtnames/want.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.rec.out(); got != string(want) {
		t.Fatalf("stdout:\n%s\nwant (go run):\n%s", got, want)
	}
}

func TestFmtCellTypesInResultsPanicsAndQueues(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "mp")
type point struct{ x, y int }
type celsius struct{ deg float64 }
func (c celsius) String() string { return fmt.Sprintf("%.1f°C", c.deg) }`)
	for _, c := range []struct{ code, want string }{
		{"point{1, 2}", "{1 2}"},
		{"celsius{21.5}", "21.5°C"},
		{"[]celsius{{1}}", "[1.0°C]"},
		{`fmt.Sprintf("%+v %T", point{1, 2}, &point{})`, `"{x:1 y:2} *main.point"`},
	} {
		if got := mustRun(t, s, c.code).value(); got != c.want {
			t.Errorf("execute_result of %s = %q, want %q", c.code, got, c.want)
		}
	}
	c := run(t, s, "panic(point{1, 2})")
	if c.res.Err == nil || c.res.Err.Value != "(main.point) {1 2}" {
		t.Errorf("panic(point{1, 2}) = %+v, want evalue (main.point) {1 2}", c.res.Err)
	}
	c = mustRun(t, s, `q := mp.NewQueue()
q.Put(point{1, 2})
q.Put(celsius{3})
a, b := q.Get(), q.Get()
fmt.Printf("%+v %T|%v %s %T\n", a, a, b, b, b)
b`)
	if got, want := c.rec.out(), "{x:1 y:2} main.point|3.0°C 3.0°C main.celsius\n"; got != want {
		t.Errorf("after a queue: %q, want %q", got, want)
	}
	if got := c.value(); got != "3.0°C" {
		t.Errorf("execute_result after a queue = %q, want 3.0°C", got)
	}
}
