package eval

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestFinalExpressionIsTheResult(t *testing.T) {
	s := newSession(t)
	for _, tc := range []struct{ code, want string }{
		{`"hi"`, `"hi"`},
		{`1 + 2`, `3`},
		{"import \"strconv\"\nstrconv.Atoi(\"7\")", `(7, <nil>)`},
		{"import \"fmt\"\nfmt.Println(\"x\")", ``},
		{"func nothing() {}\nnothing()", ``},
		{"xs := []int{1, 2}\nxs", `[1 2]`},
		{"type P struct{ X, Y int }\nP{1, 2}", `{1 2}`},
		{"m := map[string]int{\"a\": 1}\nm", `map[a:1]`},
	} {
		c := mustRun(t, s, tc.code)
		if c.value() != tc.want {
			t.Errorf("%q: result %q, want %q", tc.code, c.value(), tc.want)
		}
	}
}

func TestRerunningCellsWorks(t *testing.T) {
	s := newSession(t)
	cell := "import (\n\t\"fmt\"\n\t\"strings\"\n)\nfunc shout(s string) string { return strings.ToUpper(s) }\nfmt.Println(shout(\"a\"))"
	for i := 0; i < 3; i++ {
		if c := mustRun(t, s, cell); c.rec.out() != "A\n" {
			t.Fatalf("run %d: %q", i, c.rec.out())
		}
	}
}

func TestRedefinedFuncIsCalledByEarlierFuncs(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "func f() int { return 1 }\nfunc g() int { return f() * 10 }")
	mustRun(t, s, "counter := 5")
	mustRun(t, s, "func f() int { return 2 }")
	if c := mustRun(t, s, "g()"); c.value() != "20" {
		t.Fatalf("g() = %s, want 20", c.value())
	}
	if c := mustRun(t, s, "counter"); c.value() != "5" {
		t.Fatalf("global lost on rebuild: %q", c.value())
	}
}

func TestRedefinedStructAndMethods(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "type Worker struct{ Name string }\nfunc (w Worker) Hello() string { return \"hi \" + w.Name }\nw := Worker{Name: \"ana\"}")
	mustRun(t, s, "type Worker struct{ Name string; ID int }\nfunc (w Worker) Hello() string { return \"hello \" + w.Name }")
	if c := mustRun(t, s, "Worker{Name: \"bo\", ID: 2}.Hello()"); c.value() != `"hello bo"` {
		t.Fatalf("got %s", c.value())
	}
	if c := mustRun(t, s, "w.Hello()"); c.value() != `"hello ana"` {
		t.Fatalf("carried w: %s", c.value())
	}
}

func TestRedeclaredGlobalIsSeenByFuncs(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "x := 1\nfunc getX() int { return x }")
	mustRun(t, s, "x := 2")
	if c := mustRun(t, s, "getX()"); c.value() != "2" {
		t.Fatalf("getX() = %s", c.value())
	}
	mustRun(t, s, "var x = 3")
	if c := mustRun(t, s, "getX()"); c.value() != "3" {
		t.Fatalf("getX() = %s", c.value())
	}
	// A grouped var, beside a new variable and one without a value.
	mustRun(t, s, "var (\n\tx = 4\n\ty = 5\n)\nfunc getY() int { return y }")
	if c := mustRun(t, s, "getX()*10 + getY()"); c.value() != "45" {
		t.Fatalf("getX()*10 + getY() = %s", c.value())
	}
	mustRun(t, s, "var (\n\tx int\n\tz = 6\n)")
	if c := mustRun(t, s, "getX() + z"); c.value() != "6" {
		t.Fatalf("getX() + z = %s", c.value())
	}
}

func TestCompileErrorPointsAtCellLine(t *testing.T) {
	s := newSession(t)
	c := run(t, s, "import \"fmt\"\n\nfmt.Println(1)\nundefinedThing()")
	if c.res.Err == nil || c.res.Err.Name != "CompileError" {
		t.Fatalf("got %+v", c.res.Err)
	}
	if !strings.Contains(strings.Join(c.res.Err.Traceback, "\n"), "line 4") {
		t.Fatalf("traceback %q does not name line 4", c.res.Err.Traceback)
	}
}

func TestPanicsAreErrorsWithCellLines(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "func explode(n int) {\n\tif n > 0 {\n\t\tpanic(\"boom\")\n\t}\n}")
	c := run(t, s, "\nexplode(1)")
	if c.res.Err == nil || c.res.Err.Name != "panic" || c.res.Err.Value != "boom" {
		t.Fatalf("got %+v", c.res.Err)
	}
	tb := strings.Join(c.res.Err.Traceback, "\n")
	if !regexp.MustCompile(`goroutine 1 \[running\]:\nmain\.explode\(\.\.\.\)\n\tIn \[\d+\], line 3\n\t\tpanic\("boom"\)\ncell In \[\d+\]`).MatchString(tb) {
		t.Fatalf("traceback:\n%s", tb)
	}
	c = run(t, s, "var a []int\n_ = a[3]")
	if c.res.Err == nil || c.res.Err.Name != "runtime error" {
		t.Fatalf("got %+v", c.res.Err)
	}
	mustRun(t, s, "1")
}

func TestOsExitEndsTheCellOnly(t *testing.T) {
	s := newSession(t)
	c := run(t, s, "import \"os\"\nos.Exit(3)")
	if c.res.Err == nil || c.res.Err.Name != "Exit" || !strings.Contains(c.res.Err.Value, "3") {
		t.Fatalf("got %+v", c.res.Err)
	}
	mustRun(t, s, "1")
}

func TestInterruptStopsBlockingCells(t *testing.T) {
	s := newSession(t)
	for _, code := range []string{
		"for {}",
		"import \"time\"\ntime.Sleep(time.Hour)",
		"ch := make(chan int)\n<-ch",
		"var mu2 chan int\nselect { case <-mu2: }",
	} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan cellRun)
		go func() { done <- runWith(t, s, code, &recorder{}, ctx) }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		c := <-done
		if c.res.Err == nil || c.res.Err.Name != "Interrupted" {
			t.Fatalf("%q: got %+v", code, c.res.Err)
		}
		if c := mustRun(t, s, "40 + 2"); c.value() != "42" {
			t.Fatal("kernel does not answer after interrupt")
		}
	}
}

func TestStdinThroughInputRequests(t *testing.T) {
	s := newSession(t)
	rec := &recorder{inputs: []string{"Ana", "line two"}}
	c := runWith(t, s, "import (\n\"bufio\"\n\"fmt\"\n\"os\"\n)\nvar name string\nfmt.Scanln(&name)\nsc := bufio.NewScanner(os.Stdin)\nsc.Scan()\nfmt.Println(name, \"|\", sc.Text())", rec, context.Background())
	if c.res.Err != nil || rec.out() != "Ana | line two\n" {
		t.Fatalf("err %+v out %q", c.res.Err, rec.out())
	}
	// Without a frontend that takes input, a read fails at once with an
	// error that says why, which the cell can handle...
	rec = &recorder{noStdin: true}
	c = runWith(t, s, "_, err := fmt.Scanln(&name)\nfmt.Println(err)", rec, context.Background())
	if c.res.Err != nil || !strings.Contains(rec.out(), "allow_stdin is false") {
		t.Fatalf("err %+v out %q", c.res.Err, rec.out())
	}
	// ...or give up with, as Python names it, StdinNotImplementedError.
	c = runWith(t, s, "if _, err := fmt.Scanln(&name); err != nil { panic(err) }", &recorder{noStdin: true}, context.Background())
	if c.res.Err == nil || c.res.Err.Name != "StdinNotImplementedError" {
		t.Fatalf("got %+v", c.res.Err)
	}
}

// A cell that declares func main runs it after its other statements, as
// go run runs a program; main() in a later cell runs it again, and other
// cells never do (yaegi would run a package's main after each compilation).
func TestFuncMainRunsAsGoRunDoes(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, "package main\n\nimport \"fmt\"\ntype app struct{ main int }\nfunc main() { fmt.Println(\"main ran\", ready) }\nready := true")
	if got := c.rec.out(); got != "main ran true\n" {
		t.Fatalf("first cell printed %q", got)
	}
	c = mustRun(t, s, "a := app{main: 2}\nfmt.Println(a.main)\nimport \"strings\"\nfmt.Println(strings.ToUpper(\"ok\"))")
	if got := c.rec.out(); got != "2\nOK\n" {
		t.Fatalf("a later cell printed %q", got)
	}
	c = mustRun(t, s, "main()")
	if got := c.rec.out(); got != "main ran true\n" {
		t.Fatalf("main() printed %q", got)
	}
}

func TestNewerBuiltinsAndRangeOverInt(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import "fmt"
n := 3
for i := range n { fmt.Print(i) }
for range 2 { fmt.Print("x") }
for i := range len("ab") { fmt.Print(i) }
m := map[string]int{"a": 1}
clear(m)
fmt.Println(len(m))`)
	if c.rec.out() != "012xx010\n" {
		t.Fatalf("got %q", c.rec.out())
	}
	if c := mustRun(t, s, "min(3, 1, 2)"); c.value() != "1" {
		t.Fatalf("min: %q", c.value())
	}
	if c := mustRun(t, s, "max(2.5, 1.0)"); c.value() != "2.5" {
		t.Fatalf("max: %q", c.value())
	}
}

func TestStdoutAndStderr(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, "import (\"fmt\"; \"os\")\nfmt.Println(\"a\")\nfmt.Fprintln(os.Stderr, \"b\")\nprintln(\"c\")\nos.Stdout.WriteString(\"d\\n\")")
	// println is the builtin, which writes to standard error as in Go.
	if c.rec.out() != "a\nd\n" || c.rec.err() != "b\nc\n" {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
}

func TestHelpSyntaxGivesAPage(t *testing.T) {
	s := newSession(t)
	for _, code := range []string{"?fmt.Println", "fmt.Println?"} {
		c := mustRun(t, s, code)
		if len(c.res.Payloads) != 1 || c.res.Payloads[0]["source"] != "page" {
			t.Fatalf("%s: payloads %v", code, c.res.Payloads)
		}
	}
}

func TestIsComplete(t *testing.T) {
	s := newSession(t)
	for code, want := range map[string]string{
		"x := 1":          "complete",
		"func f() {":      "incomplete",
		"x := []int{1,\n": "incomplete",
		"}":               "invalid",
		"x := `abc":       "incomplete",
		"?fmt.Println":    "complete",
	} {
		if got := s.IsComplete(code).Status; got != want {
			t.Errorf("IsComplete(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestOsExecAndSyscallAreImportable(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, "import (\"os/exec\"; \"syscall\"; \"strings\")\nout, err := exec.Command(\"echo\", \"from a process\").Output()\n_ = syscall.SIGTERM\nif err != nil { panic(err) }\nstrings.TrimSpace(string(out))")
	if c.value() != `"from a process"` {
		t.Fatalf("got %s", c.value())
	}
}

func TestMultiValueDefinesInTopLevelBlocks(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "strconv")
total := 0
for _, s := range []string{"1", "2"} {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	total += n
}
if v, err := strconv.Atoi("5"); err == nil {
	total += v
}
{
	a, b := strconv.Atoi("x")
	fmt.Println(a, b != nil)
}
func() {
	fmt.Println("literal called at the top level")
}()
total`)
	if c.value() != "8" || c.rec.out() != "0 true\nliteral called at the top level\n" {
		t.Fatalf("total %s, out %q", c.value(), c.rec.out())
	}
}
