package eval

import (
	"strings"
	"testing"
)

// The type-checking front end, cell by cell (issue "Cells are Go"); the
// differential suite checks the same against go run on whole programs.

// What go build rejects is rejected before anything runs, in go build's
// words, at the cell's line and column; and nothing of gomp's own names
// shows in the message.
func TestCheckerRejectsWhatGoRejects(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "fmt"
type Shape interface{ Area() float64 }
type square struct{ side float64 }
func (q *square) Area() float64 { return q.side * q.side }`)
	cases := []struct{ code, want string }{
		{"func f() int {\n\tif true {\n\t\treturn 1\n\t}\n}", "line 5, column 1: missing return"},
		{"var s Shape = square{2}", "line 1, column 15: cannot use square{…} (value of struct type square) as Shape value in variable declaration: square does not implement Shape (method Area has pointer receiver)"},
		{"func g() {\n\tx := 1\n}", "line 2, column 2: declared and not used: x"},
		{"fmt.Println(nowhere)", "line 1, column 13: undefined: nowhere"},
		{"main()", "line 1, column 1: undefined: main"},
		{"var n int = \"s\"", "line 1, column 13: cannot use \"s\" (untyped string constant) as int value in variable declaration"},
		{"import \"nosuch/pkg\"", "line 1, column 8: package nosuch/pkg is not in std"},
	}
	for _, c := range cases {
		r := run(t, s, c.code)
		if r.res.Err == nil {
			t.Errorf("%q ran; want %q", c.code, c.want)
			continue
		}
		if r.res.Err.Name != "CompileError" || !strings.HasPrefix(r.res.Err.Value, c.want) {
			t.Errorf("%q: got %s: %s\nwant CompileError: %s", c.code, r.res.Err.Name, r.res.Err.Value, c.want)
		}
		if all := strings.Join(r.res.Err.Traceback, "\n"); strings.Contains(all, "__gomp") || strings.Contains(all, "gomp1") {
			t.Errorf("%q: an internal name shows: %s", c.code, all)
		}
	}
}

// The notebook's exceptions: unused imports, and variables a cell
// declares at its top level, are fine.
func TestNotebookExceptions(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "import (\"fmt\"; \"strings\"; \"os\")\nx := 1\nvar y string\nfmt.Println(\"ok\")")
	if c := mustRun(t, s, "x + len(y)"); c.value() != "1" {
		t.Fatalf("got %q", c.value())
	}
}

// A whole program pasted into a cell runs as go run runs it: package
// clause, declarations in any order, package variables a function uses
// before their declaration, func main last.
func TestWholeProgramInOneCell(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `package main

import "fmt"

func main() {
	fmt.Println(greet(name), limit)
}

func greet(s string) string { return prefix + s }

var prefix = "hola, "

const limit = 3

var name = "ana"
`)
	if c.rec.out() != "hola, ana 3\n" {
		t.Fatalf("got %q", c.rec.out())
	}
}

// Loop variables are per iteration (Go 1.22) for closures, defer and &i.
func TestLoopVariablesForClosuresDeferAndAddress(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import "fmt"
func deferred() {
	for i := 0; i < 3; i++ {
		defer fmt.Print(i)
		defer func() { fmt.Print(i) }()
	}
}
deferred()
fmt.Println()
var fs []func() int
var ps []*int
for i := 0; i < 3; i++ {
	fs = append(fs, func() int { return i * 10 })
	ps = append(ps, &i)
}
for _, s := range []string{"a", "b"} {
	fs = append(fs, func() int { return len(s) + 100 })
}
for _, f := range fs { fmt.Print(f(), " ") }
fmt.Println(*ps[0], *ps[2])`)
	if c.rec.out() != "221100\n0 10 20 101 101 0 2\n" {
		t.Fatalf("got %q", c.rec.out())
	}
}

// The final expression is shown when it has a value, whatever package it
// comes from; the print functions' (n, err) and calls without a result are
// not.
func TestFinalExpressionFromTypes(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "os"; "time"; "log")`)
	cases := []struct{ code, want string }{
		{"os.Getpid() > 0", "true"},
		{"time.Duration(1500) * time.Millisecond", "1.5s"},
		{"fmt.Println(\"x\")", ""},
		{"log.SetFlags(0)", ""},
		{"new(42) != nil", "true"},
		{"p := new(\"s\")\n*p", `"s"`},
		{"var a, b int64 = 3, 5\nmin(a, b) + max(a, b, 1)", "8"},
		{"min(2.5, 1)", "1"},
	}
	for _, c := range cases {
		if got := mustRun(t, s, c.code).value(); got != c.want {
			t.Errorf("%q shows %q, want %q", c.code, got, c.want)
		}
	}
}

// Generic functions of slices, maps and cmp, iter's types and ranging
// over a function work in cells.
func TestGenericStandardLibraryAndIterators(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "slices"; "maps"; "iter"; "cmp")
xs := []int64{5, 2, 9}
slices.Sort(xs)
fmt.Println(xs, slices.Contains(xs, 9), slices.Index(xs, 5), slices.Max(xs))
m := map[string]int{"b": 2, "a": 1, "c": 3}
fmt.Println(slices.Sorted(maps.Keys(m)))
func upTo(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}
for i := range upTo(10) {
	if i == 2 {
		continue
	}
	if i == 5 {
		break
	}
	fmt.Print(i, " ")
}
type P struct{ Name string; Age int }
ps := []P{{"b", 3}, {"a", 1}}
slices.SortFunc(ps, func(a, b P) int { return cmp.Compare(a.Age, b.Age) })
fmt.Println(ps)`)
	if c.rec.out() != "[2 5 9] true 1 9\n[a b c]\n0 1 3 4 [{a 1} {b 3}]\n" {
		t.Fatalf("got %q", c.rec.out())
	}
}

// Runtime errors read as the Go runtime words them, in the error and in
// what a cell's recover gets.
func TestRuntimeErrorsInGoWords(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "fmt"`)
	cases := []struct{ code, want string }{
		{"var m map[string]int\nm[\"a\"] = 1", "assignment to entry in nil map"},
		{"var p *struct{ X int }\nfmt.Println(p.X)", "invalid memory address or nil pointer dereference"},
		{"var a any = \"s\"\nn := a.(int)", "interface conversion: interface {} is string, not int"},
		{"z := 0\nfmt.Println(10 / z)", "integer divide by zero"},
		{"xs := []int{1}\nfmt.Println(xs[len(xs)+2])", "index out of range"},
	}
	for _, c := range cases {
		r := run(t, s, c.code)
		if r.res.Err == nil || r.res.Err.Name != "runtime error" || !strings.HasPrefix(r.res.Err.Value, c.want) {
			t.Errorf("%q: got %+v, want runtime error: %s", c.code, r.res.Err, c.want)
		}
	}
	c := mustRun(t, s, `import "runtime"
func safe() (msg string) {
	defer func() {
		r := recover()
		_, isRuntime := r.(runtime.Error)
		msg = fmt.Sprint(isRuntime, " ", r)
	}()
	var xs []int
	_ = xs[3]
	return ""
}
safe()`)
	if c.value() != `"true runtime error: index out of range"` {
		t.Fatalf("recover got %s", c.value())
	}
}
