package eval

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/traefik/yaegi/interp"
)

// The compiled helpers that rewritten cells call, and the standard library
// symbols a cell must not reach directly. Cells import the helpers as
// `__gomp "gompcell"`; the name is kept out of the user's way.
const runtimePath = "gompcell"

// exitSignal is the panic value of os.Exit in a cell: the cell ends with an
// "Exit" error (as IPython reports SystemExit) and the kernel lives on.
type exitSignal struct{ code int }

func (e exitSignal) Error() string { return fmt.Sprintf("os.Exit(%d)", e.code) }

// interruptSignal is the panic value that stops a cell's blocking call when
// the cell is interrupted.
type interruptSignal struct{}

func (interruptSignal) Error() string { return "interrupted" }

// overrides returns the symbols that replace or extend yaegi's stdlib in
// every interpreter of the session.
func (s *Session) overrides() interp.Exports {
	stdout, stderr, stdin := s.stdout, s.stderr, s.stdin
	// A cell's program has no arguments of its own, as `go run main.go`
	// has none: os.Args is its name alone (the session's own argv is the
	// kernel's business).
	args := []string{"main"}
	return interp.Exports{
		"os/os": {
			"Exit":   symbolValue(s.exit),
			"Stdout": reflect.ValueOf(&stdout).Elem(),
			"Stderr": reflect.ValueOf(&stderr).Elem(),
			"Stdin":  reflect.ValueOf(&stdin).Elem(),
			"Args":   reflect.ValueOf(&args).Elem(),
		},
		"time/time": {
			"Sleep": symbolValue(s.sleep),
		},
		"sync/sync": {
			"WaitGroup": symbolValue((*WaitGroup)(nil)),
			"Mutex":     symbolValue((*Mutex)(nil)),
		},
		// iter has only generic types, which cells' code names as the
		// function types they are (rewriter.iterType): the package just has
		// to be importable.
		"iter/iter": {
			"Seq":  symbolValue((*func(func(any) bool))(nil)),
			"Seq2": symbolValue((*func(func(any, any) bool))(nil)),
		},
		runtimePath + "/" + runtimePath: s.helperSymbols(),
	}
}

// helperSymbols are the compiled helpers rewritten cells call.
func (s *Session) helperSymbols() map[string]reflect.Value {
	helpers := map[string]reflect.Value{
		"GoStart":    symbolValue(s.goStart),
		"GoEnd":      symbolValue(s.goEnd),
		"GoEnter":    symbolValue(s.goEnter),
		"Show":       symbolValue(s.show),
		"Clear":      symbolValue(clearValue),
		"At":         symbolValue(s.sites.at),
		"RunDefers":  symbolValue(s.runDefers),
		"Recovered":  symbolValue(s.recovered),
		"Identify":   symbolValue(s.probe.identify),
		"Found":      symbolValue(s.probe.found),
		"Print":      symbolValue(s.builtinPrint(false)),
		"Println":    symbolValue(s.builtinPrint(true)),
		"MakeLen":    symbolValue(makeLen), // fatal.go
		"Typed":      symbolValue(typedValue),
		"TypedLocal": symbolValue(typedLocalValue),
		// The compiled tier's switch (nativePrologue).
		"Native":      symbolValue(s.native.Native),
		"NativeReady": symbolValue(s.native.NativeReady),
	}
	for key, fn := range genericFuncs {
		helpers[genericName(key)] = symbolValue(fn)
	}
	helpers[genericName("errors.AsType")] = symbolValue(s.errorsAsType)
	return helpers
}

// sleep is time.Sleep for cells: it wakes when the running cell is
// interrupted, which a native time.Sleep under yaegi never does. It returns
// once the interpreter has been stopped, so the statement after it never
// runs; it does not panic: a panic racing with the stop could pass through
// deferred recovers that the stop keeps from running.
func (s *Session) sleep(d time.Duration) {
	s.mu.Lock()
	ctx, stopped := s.runCtx, s.stopped
	s.mu.Unlock()
	if ctx == nil {
		time.Sleep(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		s.noteStop()
		s.awaitStop(stopped)
	}
}

// awaitStop waits until the interrupted cell's interpreter was stopped (or,
// if the cell ended first, a moment).
func (s *Session) awaitStop(stopped <-chan struct{}) {
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-stopped:
	case <-t.C:
	}
}

// goStart, goEnter and goEnd bracket every goroutine a cell starts (see
// guardGo and goroutineCells): goStart, in the goroutine running the go
// statement, notes the cell the new goroutine belongs to (its parent's),
// goEnter binds the new goroutine to it, goEnd reports how it ended.
func (s *Session) goStart() int64 {
	s.goroutines.Add(1)
	parent := s.cells.of()
	s.mu.Lock()
	defer s.mu.Unlock()
	if parent == nil {
		parent = &goroutineCell{out: s.out}
		if s.runCtx != nil {
			parent.seq = s.cellSeq
		}
	}
	if parent.seq != 0 && parent.seq == s.cellSeq && s.runCtx != nil {
		s.cellGoroutines++
	}
	return s.cells.start(parent)
}

// goEnter binds the new goroutine to its cell, first thing in it.
func (s *Session) goEnter(token int64) { s.cells.enter(token) }

// goEnd receives the goroutine's recover() value. A panic (or os.Exit) in a
// goroutine would end a Go program; here it ends the cell that started the
// goroutine with that error when that cell still runs, and is otherwise
// printed to that cell's stderr, without failing a later cell. The kernel
// lives on.
func (s *Session) goEnd(token int64, r any) {
	s.goroutines.Add(-1)
	cell := s.cells.leave()
	if cell == nil {
		cell = &goroutineCell{out: s.output()}
	}
	s.mu.Lock()
	own := cell.seq != 0 && cell.seq == s.cellSeq && s.runCtx != nil
	if own {
		s.cellGoroutines--
	}
	cancel := s.runCancel
	s.mu.Unlock()
	if r == nil {
		return
	}
	if _, ok := r.(interruptSignal); ok {
		return // the cell was interrupted; that is reported once, by the cell
	}
	trace := s.traces.take()
	report := goroutinePanic{value: r, trace: trace, site: s.sites.take(goroutineID())}
	if own && cancel != nil {
		cancel(report)
		return
	}
	cell.out.Stream("stderr", s.formatGoroutinePanic(report))
}

// goroutinePanic is a panic that escaped a cell's goroutine.
type goroutinePanic struct {
	value any
	trace []string
	site  int // the line of the panic call, 0 if unknown
}

func (g goroutinePanic) Error() string { return fmt.Sprintf("goroutine panicked: %v", g.value) }

func (s *Session) formatGoroutinePanic(g goroutinePanic) string {
	var b strings.Builder
	name, value := s.classifyPanic(g.value)
	fmt.Fprintf(&b, "%s in a goroutine: %s\n", name, value)
	for _, l := range s.units.traceback(g.trace, g.site) {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// clearValue implements the clear builtin for cells: it deletes every key of
// a map, or zeroes every element of a slice, through reflection.
func clearValue(x any) {
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Map:
		v.Clear()
	case reflect.Slice:
		v.Clear()
	case reflect.Invalid:
	default:
		panic(fmt.Sprintf("invalid argument: clear(%v) (value of type %T): argument must be a map or slice", x, x))
	}
}

// panicSites records, per goroutine, the cell line of the panic call being
// made: `panic(x)` is rewritten `panic(__gomp.At(line, x))`, which records
// the line and returns x unchanged, so recover() still gets x. Tracebacks
// read it back, since yaegi's own frames carry no line.
type panicSites struct {
	mu    sync.Mutex
	lines map[int64]int
}

func (p *panicSites) at(line int, v any) any {
	gid := goroutineID()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lines == nil {
		p.lines = map[int64]int{}
	}
	if len(p.lines) > 1000 { // panics recovered by the cells' own code
		clear(p.lines)
	}
	p.lines[gid] = line
	return v
}

func (p *panicSites) take(gid int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := p.lines[gid]
	delete(p.lines, gid)
	return line
}

// exit is os.Exit for cells: the cell ends with an "Exit" error and the
// kernel lives on. The deferred calls between it and the cell do not run,
// as Go's do not when a program exits (runDefers, recovered).
func (s *Session) exit(code int) {
	s.exiting.Store(true)
	panic(exitSignal{code})
}

// runDefers runs the calls a function deferred (see eagerDefers), the last
// first, as Go runs deferred calls: compiled defers keep the order and let
// the others run when one panics. After os.Exit, none runs.
func (s *Session) runDefers(calls []func()) {
	if s.exiting.Load() {
		return
	}
	for _, c := range calls {
		defer c()
	}
}

// recovered is recover() in cells: yaegi's runtime panics become Go's
// runtime errors, and os.Exit cannot be recovered, as in Go.
func (s *Session) recovered(v any) any {
	if e, ok := v.(exitSignal); ok {
		panic(e)
	}
	return recovered(v)
}
