//go:build !race

// The differential suite runs interpreted goroutines that share closures with
// main, which yaegi v0.16.1 races on internally (see concurrent_test.go):
// like those tests it is built only without -race, and test.sh runs ./eval a
// second time without it.

package eval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gomp/backend"
)

// knownDifferences lists the cases (program file and mode, as the subtest
// names them) where the kernel does not yet do what `go run` does, each with
// the reason. Such a case must still differ: when it starts to match, its
// subtest fails so that the entry is removed. Set GOMP_DIFF_TABLE to a file
// name to have the run write the table of today's differences there.
//
// The table is written by a run (GOMP_DIFF_TABLE), so each reason is what
// that run saw first: a line go run and the kernel print differently, or the
// kernel's error.
var knownDifferences = map[string]string{
	"encoding_json_embedded.go/split":       "stdout line 1: go run prints \"{\\\"Version\\\":3,\\\"Title\\\":\\\"guía\\\"} <nil>\", the kernel \"{\\\"Xmeta\\\":{\\\"Version\\\":3},\\\"Title\\\":\\\"guía\\\"} <nil>\"",
	"encoding_json_embedded.go/whole":       "stdout line 1: go run prints \"{\\\"Version\\\":3,\\\"Title\\\":\\\"guía\\\"} <nil>\", the kernel \"{\\\"Xmeta\\\":{\\\"Version\\\":3},\\\"Title\\\":\\\"guía\\\"} <nil>\"",
	"fmt_error_method.go/split":             "stdout line 4: go run prints \"36.6° [1.0° 2.0°]\", the kernel \"36.6° [1 2]\"",
	"fmt_error_method.go/whole":             "stdout line 4: go run prints \"36.6° [1.0° 2.0°]\", the kernel \"36.6° [1 2]\"",
	"fmt_formatter_gostringer.go/split":     "stdout line 1: go run prints \"*** *** secret(\\\"***\\\")\", the kernel \"*** *** \\\"hunter2\\\"\"",
	"fmt_formatter_gostringer.go/whole":     "stdout line 1: go run prints \"*** *** secret(\\\"***\\\")\", the kernel \"*** *** \\\"hunter2\\\"\"",
	"fmt_named_logger.go/split":             "stdout line 1: go run prints \"srv main.Port 8080\", the kernel \"srv uint16 8080\"",
	"fmt_named_logger.go/whole":             "stdout line 1: go run prints \"srv main.Port 8080\", the kernel \"srv uint16 8080\"",
	"fmt_named_types.go/split":              "stdout line 5: go run prints \"main.ID\", the kernel \"int\"",
	"fmt_named_types.go/whole":              "stdout line 5: go run prints \"main.ID\", the kernel \"int\"",
	"generic_stringer_type_name.go/split":   "stdout line 2: go run prints \"main.Option[float64] main.Option[main.Option[float64]]\", the kernel \"stdlib._fmt_Stringer stdlib._fmt_Stringer\"",
	"generic_stringer_type_name.go/whole":   "stdout line 2: go run prints \"main.Option[float64] main.Option[main.Option[float64]]\", the kernel \"stdlib._fmt_Stringer stdlib._fmt_Stringer\"",
	"iface_assert_notebook.go/split":        "stdout line 1: go run prints \"9 3\", the kernel \"21 2\"",
	"iface_assert_notebook.go/whole":        "stdout line 1: go run prints \"9 3\", the kernel \"21 2\"",
	"iface_assertion_ok.go/split":           "stdout line 1: go run prints \"named: rex\", the kernel \"stringer? false\"",
	"iface_assertion_ok.go/whole":           "stdout line 1: go run prints \"named: rex\", the kernel \"stringer? false\"",
	"iface_nil_interface.go/split":          "stdout line 1: go run prints \"false\", the kernel \"true\"",
	"iface_nil_interface.go/whole":          "stdout line 1: go run prints \"false\", the kernel \"true\"",
	"iface_type_switch.go/split":            "stdout line 5: go run prints \"error bad\", the kernel \"other *errors.errorString\"",
	"iface_type_switch.go/whole":            "stdout line 5: go run prints \"error bad\", the kernel \"other *errors.errorString\"",
	"iface_type_switch_interfaces.go/split": "stdout line 2: go run prints \"stringer circle(2)\", the kernel \"shape of area 12\"",
	"iface_type_switch_interfaces.go/whole": "stdout line 2: go run prints \"stringer circle(2)\", the kernel \"shape of area 12\"",
	"init_var_order.go/split":               "the kernel fails: CompileError: line 2, column 6: undefined: c",
	"init_var_order.go/whole":               "the kernel fails: CompileError: line 6, column 6: undefined: c",
	"lang_func_types_interfaces.go/split":   "stdout line 2: go run prints \"main.HandlerFunc\", the kernel \"func(string) string\"",
	"lang_func_types_interfaces.go/whole":   "stdout line 2: go run prints \"main.HandlerFunc\", the kernel \"func(string) string\"",
	"method_named_slice_map.go/split":       "stdout line 1: go run prints \"zoe, ana | ana, zoe | 2\", the kernel \"zoe, ana | [ana zoe] | 2\"",
	"method_named_slice_map.go/whole":       "stdout line 1: go run prints \"zoe, ana | ana, zoe | 2\", the kernel \"zoe, ana | [ana zoe] | 2\"",
	"panic_uncaught_index.go/split":         "ends with \"panic: runtime error: index out of range\", go run with \"panic: runtime error: index out of range [3] with length 3\"",
	"panic_uncaught_index.go/whole":         "ends with \"panic: runtime error: index out of range\", go run with \"panic: runtime error: index out of range [3] with length 3\"",
	"runtime_bad_assertion.go/split":        "stdout line 2: go run prints \"interface conversion: main.Sq is not interface { Volume() float64 }: missing method Volume\", the kernel \"<nil>\"",
	"runtime_bad_assertion.go/whole":        "stdout line 2: go run prints \"interface conversion: main.Sq is not interface { Volume() float64 }: missing method Volume\", the kernel \"<nil>\"",
	"runtime_error_interface.go/split":      "stdout line 2: go run prints \"runtime error: index out of range [3] with length 0\", the kernel \"runtime error: index out of range\"",
	"runtime_error_interface.go/whole":      "stdout line 2: go run prints \"runtime error: index out of range [3] with length 0\", the kernel \"runtime error: index out of range\"",
	"runtime_index_out_of_range.go/split":   "stdout line 2: go run prints \"0 runtime error: index out of range [5] with length 3\", the kernel \"0 runtime error: index out of range\"",
	"runtime_index_out_of_range.go/whole":   "stdout line 2: go run prints \"0 runtime error: index out of range [5] with length 3\", the kernel \"0 runtime error: index out of range\"",
}

const noPackageClause = "package clause not accepted yet"

// unorderedMarker, as a program's first line, says its output lines may come
// in any order (goroutines print them): both sides are compared sorted.
const unorderedMarker = "// gomp:unordered"

const (
	minPrograms = 130
	// A guard, not a measurement: a case that has not finished by then
	// (a kernel that deadlocks where Go does not) is reported as differing.
	programDeadline = 30 * time.Second
	cellDeadline    = 10 * time.Second
)

// outcome is what a run shows: both streams and how it ended.
type outcome struct {
	stdout, stderr string
	// end is "exit status N", or the first line of an uncaught panic as Go
	// prints it ("panic: boom", "panic: runtime error: ...").
	end string
}

// TestDifferential runs every program of testdata/programs with the real
// toolchain and through a session, whole and split over cells (see
// testdata/programs/README.md), as subtests named file/mode.
func TestDifferential(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "programs", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < minPrograms {
		t.Fatalf("%d programs under testdata/programs, want at least %d", len(files), minPrograms)
	}
	goTool := goCommand(t)
	bin := t.TempDir()
	table := &diffTable{reasons: map[string]string{}}
	if path := os.Getenv("GOMP_DIFF_TABLE"); path != "" {
		t.Cleanup(func() { table.write(t, path) })
	}
	seen := map[string]bool{}
	goSlots := make(chan struct{}, 2) // the toolchain side: two programs at a time
	for _, file := range files {
		name := filepath.Base(file)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			prog, err := splitProgram(name, string(src))
			if err != nil {
				t.Fatalf("the program does not parse: %v", err)
			}
			goSlots <- struct{}{}
			want, err := runWithGo(goTool, file, filepath.Join(bin, strings.TrimSuffix(name, ".go")))
			<-goSlots
			if err != nil {
				t.Fatalf("go: %v", err)
			}
			for _, mode := range []struct {
				name  string
				cells []string
			}{{"whole", []string{string(src)}}, {"split", prog.cells}} {
				t.Run(mode.name, func(t *testing.T) {
					got := runInSession(mode.cells)
					diff := compareOutcomes(want, got, prog.unordered)
					key := name + "/" + mode.name
					if diff != "" {
						table.add(key, summarize(want, got, prog.unordered))
					}
					reason, known := knownDifferences[key]
					switch {
					case known && diff == "":
						t.Errorf("%s now matches go run: remove its entry from knownDifferences (%q)", key, reason)
					case known:
						t.Logf("known difference: %s", reason)
					case diff != "":
						t.Errorf("differs from go run:\n%s%s", diff, showCells(mode.name, mode.cells))
					}
				})
			}
		})
	}
	for key := range knownDifferences {
		if !seen[strings.Split(key, "/")[0]] || !strings.HasSuffix(key, "/whole") && !strings.HasSuffix(key, "/split") {
			t.Errorf("knownDifferences names %q, which is no program and mode", key)
		}
	}
}

// goCommand finds the toolchain that is the oracle.
func goCommand(t *testing.T) string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if p := "/usr/local/go/bin/go"; fileExists(p) {
		return p
	}
	t.Fatal("no go command on PATH: the differential tests need the real toolchain")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// runWithGo builds the program with the real toolchain (as part of this
// module, so with its go version's semantics) and runs it.
func runWithGo(goTool, file, exe string) (outcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), programDeadline)
	defer cancel()
	build := exec.CommandContext(ctx, goTool, "build", "-o", exe, file)
	if out, err := build.CombinedOutput(); err != nil {
		return outcome{}, fmt.Errorf("build %s: %v\n%s", file, err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, exe)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && ctx.Err() == nil:
		code = exit.ExitCode()
	case err != nil:
		return outcome{}, fmt.Errorf("run %s: %v", file, err)
	}
	o := outcome{stdout: stdout.String(), stderr: stderr.String(), end: fmt.Sprintf("exit status %d", code)}
	// An uncaught panic: the program's own stderr is what came before Go's
	// report, and the report's first line is what is compared.
	if code == 2 {
		if i := strings.Index(o.stderr, "panic: "); i >= 0 && (i == 0 || o.stderr[i-1] == '\n') {
			line, _, _ := strings.Cut(o.stderr[i:], "\n")
			o.stderr, o.end = o.stderr[:i], strings.TrimSuffix(line, " [recovered]")
		}
	}
	return o, nil
}

// sessionTurn runs one session at a time: a session takes process-wide
// hooks (the interrupt source, mp's host) when it is created.
var sessionTurn sync.Mutex

var diffCount atomic.Int64

// runInSession runs the cells in a fresh session, as Run All would: in
// order, stopping at the first that fails, whose error is then how the run
// ended.
func runInSession(cells []string) outcome {
	sessionTurn.Lock()
	defer sessionTurn.Unlock()
	s, err := New(Options{})
	if err != nil {
		return outcome{end: "session: " + err.Error()}
	}
	defer s.Close()
	rec := &recorder{noStdin: true}
	end := "exit status 0"
	for _, code := range cells {
		ctx, cancel := context.WithTimeout(context.Background(), cellDeadline)
		res := s.Execute(ctx, backend.ExecuteRequest{Code: code, ExecutionCount: int(diffCount.Add(1))}, rec)
		cancel()
		if res.Err != nil {
			end = sessionEnd(res.Err)
			break
		}
	}
	return outcome{stdout: rec.out(), stderr: rec.err(), end: end}
}

var exitCode = regexp.MustCompile(`^os\.Exit\((\d+)\)$`)

// sessionEnd words a failed cell as Go reports the end of a program: os.Exit
// as its exit status, a panic as the first line of Go's report (a panic in a
// goroutine also ends a Go program, so gomp's "in a goroutine: " is not part
// of the comparison). Anything else (a compile error, an interrupt) is
// shown as the kernel names it, and so differs.
func sessionEnd(e *backend.Error) string {
	value := strings.TrimPrefix(e.Value, "in a goroutine: ")
	switch e.Name {
	case "Exit":
		if m := exitCode.FindStringSubmatch(e.Value); m != nil {
			return "exit status " + m[1]
		}
	case "panic":
		return "panic: " + value
	case "runtime error":
		for _, plain := range plainRuntimeErrors {
			if strings.HasPrefix(value, plain) {
				return "panic: " + value
			}
		}
		return "panic: runtime error: " + value
	}
	return e.Name + ": " + e.Value
}

// plainRuntimeErrors begin the runtime errors whose text Go prints without
// "runtime error: " (its plainError and TypeAssertionError): the kernel's
// evalue never has that prefix, so this puts it back where Go has it.
var plainRuntimeErrors = []string{
	"assignment to entry in nil map",
	"close of nil channel",
	"close of closed channel",
	"send on closed channel",
	"interface conversion: ",
	"makeslice: ",
	"makechan: ",
}

// compareOutcomes returns a readable account of how got differs from want,
// or "" when it does not.
func compareOutcomes(want, got outcome, unordered bool) string {
	var b strings.Builder
	part := func(label, w, g string) {
		if unordered {
			w, g = sortedLines(w), sortedLines(g)
		}
		if w != g {
			fmt.Fprintf(&b, "--- %s (- go run, + kernel%s)\n%s", label, map[bool]string{true: ", lines sorted"}[unordered], lineDiff(w, g))
		}
	}
	part("stdout", want.stdout, got.stdout)
	part("stderr", want.stderr, got.stderr)
	if want.end != got.end {
		fmt.Fprintf(&b, "--- end\n- %s\n+ %s\n", want.end, got.end)
	}
	return b.String()
}

// summarize gives a difference in one line, for the table GOMP_DIFF_TABLE
// writes.
func summarize(want, got outcome, unordered bool) string {
	if got.end != want.end && !strings.HasPrefix(got.end, "exit status") && !strings.HasPrefix(got.end, "panic:") {
		first, _, _ := strings.Cut(got.end, "\n")
		return "the kernel fails: " + first
	}
	for _, p := range []struct{ label, w, g string }{{"stdout", want.stdout, got.stdout}, {"stderr", want.stderr, got.stderr}} {
		w, g := p.w, p.g
		if unordered {
			w, g = sortedLines(w), sortedLines(g)
		}
		if w == g {
			continue
		}
		wl, gl := strings.Split(w, "\n"), strings.Split(g, "\n")
		for i := 0; ; i++ {
			if i >= len(wl) || i >= len(gl) || wl[i] != gl[i] {
				at := func(l []string) string {
					if i < len(l) {
						return strconv.Quote(l[i])
					}
					return "nothing"
				}
				return fmt.Sprintf("%s line %d: go run prints %s, the kernel %s", p.label, i+1, at(wl), at(gl))
			}
		}
	}
	return fmt.Sprintf("ends with %q, go run with %q", got.end, want.end)
}

func sortedLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	for i, l := range lines {
		if !strings.HasSuffix(l, "\n") {
			lines[i] = l + "\n" // a last line without newline sorts as the others
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}

// lineDiff is a line diff of two small texts (a longest common subsequence;
// programs print tens of lines, not thousands).
func lineDiff(a, b string) string {
	var note string
	if a != "" && b != "" && strings.HasSuffix(a, "\n") != strings.HasSuffix(b, "\n") {
		note = "(one side does not end with a newline)\n"
	}
	x, y := strings.Split(strings.TrimSuffix(a, "\n"), "\n"), strings.Split(strings.TrimSuffix(b, "\n"), "\n")
	if a == "" {
		x = nil
	}
	if b == "" {
		y = nil
	}
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			fmt.Fprintf(&out, "  %s\n", x[i])
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&out, "+ %s\n", y[j])
			j++
		default:
			fmt.Fprintf(&out, "- %s\n", x[i])
			i++
		}
	}
	return out.String() + note
}

func showCells(mode string, cells []string) string {
	if mode == "whole" {
		return ""
	}
	var b strings.Builder
	for i, c := range cells {
		fmt.Fprintf(&b, "=== cell %d\n%s\n", i+1, c)
	}
	return b.String()
}

// diffTable collects today's differences, to write knownDifferences anew.
type diffTable struct {
	mu      sync.Mutex
	reasons map[string]string
}

func (d *diffTable) add(key, reason string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reasons[key] = reason
}

func (d *diffTable) write(t *testing.T, path string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(d.reasons)) {
		fmt.Fprintf(&b, "\t%q: %q,\n", k, d.reasons[k])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Errorf("writing the table: %v", err)
	}
}

// program is a corpus program cut into notebook cells.
type program struct {
	unordered bool
	cells     []string
}

// splitProgram cuts a program into the cells a user would write: the
// package clause with the imports, then one cell per top-level declaration,
// func main last. A notebook only sees what earlier cells declared, so the
// declarations come in dependency order (ties in source order, as Go
// initialises package variables), and declarations that need each other
// (mutual recursion) share a cell. func init cells come just before main's:
// Go runs init after every variable is initialised.
func splitProgram(name, src string) (program, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return program{}, err
	}
	p := program{unordered: strings.HasPrefix(src, unorderedMarker+"\n")}
	offset := func(pos token.Pos) int { return fset.Position(pos).Offset }
	headEnd := offset(f.Name.End())
	var decls []ast.Decl
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			headEnd = offset(g.End())
			continue
		}
		decls = append(decls, d)
	}
	p.cells = append(p.cells, src[:headEnd])

	text := func(d ast.Decl) string {
		start := d.Pos()
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Doc != nil {
				start = d.Doc.Pos()
			}
		case *ast.GenDecl:
			if d.Doc != nil {
				start = d.Doc.Pos()
			}
		}
		return src[offset(start):offset(d.End())]
	}

	// Who declares what: a name, or for methods their receiver's type name.
	declares := map[string]int{}
	methodsOf := map[string][]int{}
	special := map[int]string{} // "main" or "init"
	for i, d := range decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil {
				if tn := receiverTypeName(d.Recv.List[0].Type); tn != "?" {
					methodsOf[tn] = append(methodsOf[tn], i)
				}
				continue
			}
			if d.Name.Name == "main" || d.Name.Name == "init" {
				special[i] = d.Name.Name
				if d.Name.Name == "init" {
					continue // init cannot be referred to
				}
			}
			declares[d.Name.Name] = i
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					declares[s.Name.Name] = i
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.Name != "_" {
							declares[n.Name] = i
						}
					}
				}
			}
		}
	}
	// A declaration needs what it names (ignoring shadowing: an extra edge
	// only orders or merges cells more than needed), and for a type also
	// its methods: a value of it may be used as an interface.
	needs := make([][]int, len(decls))
	for i, d := range decls {
		set := map[int]bool{}
		g, ok := d.(*ast.GenDecl)
		isType := ok && g.Tok == token.TYPE
		ast.Inspect(d, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				ast.Inspect(n.X, func(m ast.Node) bool {
					if id, ok := m.(*ast.Ident); ok {
						addNeed(set, declares, methodsOf, id.Name, i, isType)
					}
					return true
				})
				return false
			case *ast.Ident:
				addNeed(set, declares, methodsOf, n.Name, i, isType)
			}
			return true
		})
		for j := range set {
			if j != i {
				needs[i] = append(needs[i], j)
			}
		}
		sort.Ints(needs[i])
	}
	for _, group := range orderDecls(needs, special) {
		var parts []string
		for _, i := range group {
			parts = append(parts, text(decls[i]))
		}
		p.cells = append(p.cells, strings.Join(parts, "\n\n"))
	}
	return p, nil
}

func addNeed(set map[int]bool, declares map[string]int, methodsOf map[string][]int, name string, self int, selfIsType bool) {
	if j, ok := declares[name]; ok {
		set[j] = true
		if j == self && selfIsType {
			return // a type does not need its own methods to be declared
		}
		for _, m := range methodsOf[name] {
			set[m] = true
		}
	}
}

// orderDecls groups declarations that need each other (strongly connected
// components) and orders the groups so that each comes after what it needs,
// the earliest declared first among those ready; groups holding init come
// next, and main's group last.
func orderDecls(needs [][]int, special map[int]string) [][]int {
	n := len(needs)
	reach := make([][]bool, n)
	for i := range reach {
		reach[i] = make([]bool, n)
		for _, j := range needs[i] {
			reach[i][j] = true
		}
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			if reach[i][k] {
				for j := 0; j < n; j++ {
					if reach[k][j] {
						reach[i][j] = true
					}
				}
			}
		}
	}
	group := make([]int, n)
	var groups [][]int
	for i := range group {
		group[i] = -1
	}
	for i := 0; i < n; i++ {
		if group[i] >= 0 {
			continue
		}
		g := []int{i}
		group[i] = len(groups)
		for j := i + 1; j < n; j++ {
			if group[j] < 0 && reach[i][j] && reach[j][i] {
				group[j] = len(groups)
				g = append(g, j)
			}
		}
		groups = append(groups, g)
	}
	rank := func(g []int) int { // 0 plain, 1 holds init, 2 holds main
		r := 0
		for _, i := range g {
			switch special[i] {
			case "main":
				r = 2
			case "init":
				r = max(r, 1)
			}
		}
		return r
	}
	done := make([]bool, len(groups))
	var order [][]int
	for len(order) < len(groups) {
		pick := -1
		for gi, g := range groups {
			if done[gi] {
				continue
			}
			ready := true
			for _, i := range g {
				for _, j := range needs[i] {
					if group[j] != gi && !done[group[j]] {
						ready = false
					}
				}
			}
			if !ready {
				continue
			}
			if pick < 0 || rank(g) < rank(groups[pick]) {
				pick = gi
			}
		}
		if pick < 0 { // cannot happen: groups form a DAG
			panic("declarations do not order")
		}
		done[pick] = true
		order = append(order, groups[pick])
	}
	return order
}
