package eval

import (
	"os"
	"path/filepath"
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

// Each program in testdata/fmtnames, run as a cell, prints what `go run`
// printed (its want.txt, from Go 1.26.8).
func TestFmtPrintsCellTypesAsGoDoes(t *testing.T) {
	for _, name := range []string{"types", "methods", "errors"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "fmtnames", name)
			want, err := os.ReadFile(filepath.Join(dir, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			c := mustRun(t, newSession(t), cellOf(t, filepath.Join(dir, "main.go")))
			if got := c.rec.out(); got != string(want) {
				t.Fatalf("stdout:\n%s\nwant (go run):\n%s", got, want)
			}
		})
	}
}

func TestFmtCellTypesInResultsPanicsAndQueues(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "mp")
type point struct{ x, y int }
type celsius struct{ deg float64 }
func (c celsius) String() string { return fmt.Sprintf("%.1f°C", c.deg) }
type state int
func (s state) String() string { return "state" + fmt.Sprint(int(s)) }`)
	for _, c := range []struct{ code, want string }{
		{"point{1, 2}", "{1 2}"},
		{"celsius{21.5}", "21.5°C"},
		{"[]celsius{{1}}", "[1.0°C]"},
		{`fmt.Sprintf("%+v %T", point{1, 2}, &point{})`, `"{x:1 y:2} *main.point"`},
		{"state(2)", "state2"},
		{"fmt.Errorf(\"at %v: %w\", point{1, 2}, fmt.Errorf(\"inner\"))", "at {1 2}: inner"},
	} {
		if got := mustRun(t, s, c.code).value(); got != c.want {
			t.Errorf("execute_result of %s = %q, want %q", c.code, got, c.want)
		}
	}
	c := mustRun(t, s, `import "log"
log.SetFlags(0)
log.Printf("%+v %T", point{1, 2}, point{})
log.Println(celsius{1}, []point{{3, 4}})`)
	if got, want := c.rec.err(), "{x:1 y:2} main.point\n1.0°C [{3 4}]\n"; got != want {
		t.Errorf("log wrote %q, want %q", got, want)
	}
	// log's flags hold after a redefinition rebuilds the interpreter.
	mustRun(t, s, "type point struct{ x, y, z int }")
	if c = mustRun(t, s, `log.Printf("%+v", point{1, 2, 3})`); c.rec.err() != "{x:1 y:2 z:3}\n" {
		t.Errorf("log after a rebuild wrote %q", c.rec.err())
	}
	mustRun(t, s, "type point struct{ x, y int }")
	c = run(t, s, "panic(point{1, 2})")
	if c.res.Err == nil || c.res.Err.Value != "(main.point) {1 2}" {
		t.Errorf("panic(point{1, 2}) = %+v, want evalue (main.point) {1 2}", c.res.Err)
	}
	// Go's runtime prints a panic value by its String method.
	for code, want := range map[string]string{
		"panic(celsius{4})":                       "4.0°C",
		"var a any = state(2); panic(a)":          "state2",
		"panic(&point{1, 2})":                     "(*main.point) &{1 2}",
		"panic(fmt.Errorf(`at %v`, point{3, 4}))": "at {3 4}",
	} {
		if c = run(t, s, code); c.res.Err == nil || c.res.Err.Value != want {
			t.Errorf("%s: %+v, want evalue %s", code, c.res.Err, want)
		}
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

// In a child, values of the notebook's types print as in the kernel, and
// so do those that crossed a Pipe or a Manager's dict on the way back.
func TestFmtCellTypesInChildrenPipesAndManagers(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp")
type point struct{ x, y int }
type celsius struct{ deg float64 }
func (c celsius) String() string { return fmt.Sprintf("%.1f°C", c.deg) }
type state int
func (s state) String() string { return "state" + fmt.Sprint(int(s)) }
func work(q *mp.Queue, conn *mp.Conn, d *mp.DictProxy) {
	p := q.Get().(point)
	fmt.Printf("child: %+v %T %#v %v %v %T\n", p, &p, []point{p}, celsius{2}, state(1), state(1))
	conn.Send(celsius{p.deg()})
	d.Set("p", point{p.y, p.x})
	conn.Close()
}
func (p point) deg() float64 { return float64(p.x + p.y) }
q := mp.NewQueue()
m := mp.NewManager()
d := m.Dict()
parent, child := mp.Pipe()
w := mp.NewProcess(work, q, child, d)
w.Start()
child.Close()
q.Put(point{1, 2})
back := parent.Recv()
w.Join()
got := d.Get("p")
fmt.Printf("parent: %v %T | %+v %T\n", back, back, got, got)
m.Shutdown()`)
	want := "child: {x:1 y:2} *main.point []main.point{main.point{x:1, y:2}} 2.0°C state1 main.state\n" +
		"parent: 3.0°C main.celsius | {x:2 y:1} main.point\n"
	if got := c.rec.out(); got != want {
		t.Fatalf("stdout %q\nwant   %q\nstderr %q", got, want, c.rec.err())
	}
}

// Two struct types of one shape are one reflect type under yaegi: neither
// name nor String method is given to their values, rather than a wrong one.
func TestFmtStructsOfOneShapeAreNotGuessed(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import "fmt"
type celsius struct{ deg float64 }
type fahrenheit struct{ deg float64 }
func (c celsius) String() string { return "C" }
func (f fahrenheit) String() string { return "F" }
type point struct{ x, y int }
fmt.Println([]celsius{{1}}, []fahrenheit{{2}})
fmt.Printf("%+v %T\n", point{1, 2}, point{})`)
	if got, want := c.rec.out(), "[{1}] [{2}]\n{x:1 y:2} main.point\n"; got != want {
		t.Fatalf("stdout %q, want %q", got, want)
	}
}
