package eval

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"

	"gomp/backend"
)

// unitFilePattern matches the names units are compiled under (gomp12.go).
const unitFilePattern = `(gomp\d+\.go)`

// unitPos matches a position inside a unit in yaegi's messages.
var unitPos = regexp.MustCompile(unitFilePattern + `:(\d+)(?::(\d+))?`)

// unitTable remembers, for every compiled unit, the cell it came from, so
// positions in errors and tracebacks can name the cell and show its line.
type unitTable struct {
	mu    sync.Mutex
	cells map[string]cellRef
}

type cellRef struct {
	label string   // "In [5]"
	lines []string // the cell's source lines
}

func (t *unitTable) add(file, label, code string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cells == nil {
		t.cells = map[string]cellRef{}
	}
	t.cells[file] = cellRef{label: label, lines: strings.Split(code, "\n")}
}

func (t *unitTable) lookup(file string) (cellRef, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.cells[file]
	return c, ok
}

// label names the cell a unit came from.
func (t *unitTable) label(file string) string {
	if c, ok := t.lookup(file); ok {
		return c.label
	}
	return "this session"
}

// where describes a unit position for a person: "In [5], line 3" and the
// source line.
func (t *unitTable) where(file string, line int) (string, string) {
	c, ok := t.lookup(file)
	if !ok {
		return fmt.Sprintf("line %d", line), ""
	}
	src := ""
	if line >= 1 && line <= len(c.lines) {
		src = c.lines[line-1]
	}
	return fmt.Sprintf("%s, line %d", c.label, line), src
}

// rewriteMessage replaces unit positions in a yaegi message with cell lines
// and drops the helper names rewrites introduced.
func (t *unitTable) rewriteMessage(msg string) string {
	msg = unitPos.ReplaceAllStringFunc(msg, func(m string) string {
		sub := unitPos.FindStringSubmatch(m)
		line, _ := strconv.Atoi(sub[2])
		where, _ := t.where(sub[1], line)
		return where
	})
	return cleanHelperNames(msg)
}

// cleanHelperNames removes gomp's rewrite artefacts from a message.
var helperName = regexp.MustCompile(`__gomp(i|n)?([A-Za-z_]*?)\d+`)

func cleanHelperNames(msg string) string {
	msg = decodeCopyNames(msg, false)
	msg = strings.ReplaceAll(msg, runtimePkg+".Show(", "(")
	msg = strings.ReplaceAll(msg, runtimePkg+".", "")
	return helperName.ReplaceAllString(msg, "$2")
}

// traceback turns yaegi's panic trace lines into a goroutine trace in Go's
// form, the innermost call first, each function followed by where it is:
//
//	goroutine 1 [running]:
//	main.explode(...)
//		In [1], line 3
//			panic("boom")
//	cell In [2]
//
// yaegi knows which function each frame is in but not the line it was at
// (it reports the function's first statement), so frames name the cell;
// the innermost frame also gets its line when the panic came from a panic
// call, whose line the rewrite recorded (site, 0 if unknown). The caller
// puts the panic's own line ("panic: boom") before or after it.
func (t *unitTable) traceback(trace []string, site int) []string {
	type frame struct {
		file, fn string
	}
	var frames []frame
	for _, l := range trace {
		m := yaegiTrace.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		frames = append(frames, frame{m[1], goFuncName(m[4])})
	}
	if len(frames) == 0 {
		return nil
	}
	out := []string{"goroutine 1 [running]:"}
	for i, f := range frames {
		if f.fn == "" {
			out = append(out, "cell "+t.label(f.file))
			continue
		}
		out = append(out, f.fn+"(...)")
		if i == 0 && site > 0 {
			where, src := t.where(f.file, site)
			out = append(out, "\t"+where)
			if strings.TrimSpace(src) != "" {
				out = append(out, "\t\t"+strings.TrimSpace(src))
			}
			continue
		}
		out = append(out, "\t"+t.label(f.file))
	}
	return out
}

// goFuncName is a frame's function as Go names it (main.explode), or ""
// for a cell's own statements; gomp's renamings are undone.
func goFuncName(yaegiName string) string {
	name := decodeCopyNames(strings.TrimPrefix(yaegiName, "main."), true)
	switch {
	case name == "main":
		return "" // the unit yaegi wraps a cell's statements in
	case name == mainAlias:
		name = "main"
	case strings.HasPrefix(name, targetPrefix):
		name = strings.TrimPrefix(name, targetPrefix)
	case strings.HasPrefix(name, "__gompinit"):
		name = "init"
	case strings.Contains(yaegiName, libMark):
		return cleanHelperNames(name) // a standard library generic's copy: slices.Delete[...]
	}
	return "main." + cleanHelperNames(name)
}

// toError converts whatever stopped a cell into the error the kernel reports.
func (s *Session) toError(ctx context.Context, err error) *backend.Error {
	var (
		ce  *compileError
		ie  *importError
		in  *internalError
		gp  goroutinePanic
		sel scanner.ErrorList
	)
	switch {
	case errors.As(err, &gp):
		name, value := s.classifyPanic(gp.value)
		if name == "panic" || name == "runtime error" {
			value = "in a goroutine: " + value
		}
		return s.newError(name, value, s.units.traceback(gp.trace, gp.site))
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || isInterrupt(err):
		msg := "the cell was interrupted"
		s.mu.Lock()
		n := s.earlierStopped
		s.mu.Unlock()
		switch {
		case n == 1:
			msg += "; 1 goroutine started by an earlier cell was stopped too"
		case n > 1:
			msg += fmt.Sprintf("; %d goroutines started by earlier cells were stopped too", n)
		}
		return s.newError("Interrupted", msg, nil)
	case errors.As(err, &ce):
		return s.compileErr(ce.msg)
	case errors.As(err, &ie):
		return s.newError("ImportError", ie.Error(), nil)
	case errors.As(err, &sel):
		return s.compileErr(s.units.rewriteMessage(sel.Error()))
	case errors.As(err, &in):
		return s.internalErr(in)
	}
	if p, ok := asPanic(err); ok {
		name, value := s.classifyPanic(p)
		return s.newError(name, value, s.units.traceback(s.traces.take(), s.takeCellSite()))
	}
	// A yaegi compile error (its cfgError type is unexported).
	return s.compileErr(s.units.rewriteMessage(err.Error()))
}

func isInterrupt(err error) bool {
	p, ok := asPanic(err)
	if !ok {
		return false
	}
	_, is := p.(interruptSignal)
	return is
}

// compileErr reports a cell that does not compile.
func (s *Session) compileErr(msg string) *backend.Error {
	first := strings.SplitN(msg, "\n", 2)[0]
	return s.newError("CompileError", first, strings.Split(msg, "\n"))
}

// internalErr reports a panic inside yaegi: the cell is not valid for the
// interpreter even if Go would accept it. Known cases get advice.
func (s *Session) internalErr(e *internalError) *backend.Error {
	msg := fmt.Sprint(e.value)
	advice := "the Go interpreter (yaegi) could not compile this cell"
	switch {
	case strings.Contains(msg, "nil type"):
		advice += "; if it ranges over an integer whose type gomp could not tell, write the loop as for i := 0; i < n; i++"
	}
	return s.newError("CompileError", advice+" ("+msg+")", nil)
}

// newError builds a backend.Error whose traceback ends with "name: value",
// the way IPython's does.
func (s *Session) newError(name, value string, trace []string) *backend.Error {
	tb := append([]string{}, trace...)
	tb = append(tb, "\x1b[0;31m"+name+"\x1b[0m: "+value)
	return &backend.Error{Name: name, Value: value, Traceback: tb}
}

// asPanic extracts the value of a panic yaegi reports as an error.
func asPanic(err error) (any, bool) {
	var p interp.Panic
	if errors.As(err, &p) {
		return p.Value, true
	}
	return nil, false
}

// classifyPanic names a panic value the way DESIGN.md promises: Exit for
// os.Exit, runtime error for the runtime's own, Interrupted, and panic for
// the rest.
func classifyPanicWith(sprint func(...any) string, v any) (name, value string) {
	switch x := v.(type) {
	case exitSignal:
		return "Exit", x.Error()
	case interruptSignal:
		return "Interrupted", "the cell was interrupted"
	case errStdinNotAllowed:
		return "StdinNotImplementedError", x.Error()
	case runtime.Error:
		return "runtime error", strings.TrimPrefix(x.Error(), "runtime error: ")
	}
	if e, ok := goRuntimeError(v); ok {
		return "runtime error", strings.TrimPrefix(e.Error(), "runtime error: ")
	}
	switch x := v.(type) {
	case string:
		return "panic", x
	case error:
		return "panic", x.Error()
	}
	// A cell's panic(err) reaches here boxed by the interpreter, so the stdin
	// error is known by its message.
	msg := sprint(v)
	if msg == (errStdinNotAllowed{}).Error() {
		return "StdinNotImplementedError", msg
	}
	return "panic", msg
}
