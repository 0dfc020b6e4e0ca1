// Package eval runs Go cells in a yaegi interpreter: the language side of the
// gomp kernel. It implements backend.Interpreter and knows nothing about the
// Jupyter wire protocol.
//
// A cell goes through one pipeline (Session.Execute, runCell in exec.go),
// each step in one place:
//
//   - split (cell.go, check.go's prepareCell): a leading package clause is
//     blanked, and the cell is cut into imports, declarations and
//     statements, keeping the cell's byte offsets;
//   - check (check.go, importer.go): the cell is type-checked with go/types
//     as part of the session's package (earlier declarations, globals), so
//     what Go rejects is rejected in go build's words at the cell's lines;
//   - plan (exec.go's packageOrder, hoistVars): units run in the order of
//     Go's package scope, and the variables the cell's functions use are
//     declared first;
//   - rewrite (rewrite.go): the source edits yaegi v0.16.1 needs, each
//     decided from the checker's facts and each with the yaegi fact it works
//     around (DESIGN.md); yaegi's texts that gomp matches are in
//     yaegitexts.go;
//   - run (stmts.go, decls.go): declarations join the session's log (a
//     redefinition rebuilds the interpreter from it), statements run with
//     the cell's context, so an interrupt stops them;
//   - show (result.go, errors.go): the final expression's value, or an
//     error in Go's words at the cell's own lines.
//
// What outlives the session's process: its replay log, from which a new
// session starts with the notebook's declarations after a Go fatal error
// (replay.go); and the fatal errors a cell is kept from (fatal.go).
package eval

//go:generate go run ./internal/gensyms newersymbols.go

import (
	"context"
	"fmt"
	"log"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"

	"gomp/backend"
	"gomp/display"
	"gomp/mp"
)

// Version is gomp's version, shown in kernel_info and `gomp version`.
var Version = "0.1.0"

// Session is one kernel's Go session: an interpreter and what the notebook
// has declared so far.
type Session struct {
	logger *log.Logger
	extra  []interp.Exports // packages offered to cells besides the stdlib (mp, display)

	// exec serialises everything that compiles into or swaps the
	// interpreter: Execute, and the editor's requests that read declarations.
	exec sync.Mutex

	in      *interp.Interpreter
	fs      *memFS
	imports []importSpec // in first-import order
	decls   declLog
	globals []globalVar  // the notebook's global variables, as the checker typed them
	units   unitTable    // unit file name → cell, for errors and tracebacks
	seq     atomic.Int64 // units compiled so far
	stopper unitRunner
	native  *nativeTier // the compiled tier (native.go)

	// state guards in, fs, imports, decls and typeCache against goroutines
	// other than Execute's (mp's calls into the Host); Execute's goroutine,
	// their only writer, takes it to change them.
	state     sync.RWMutex
	typeCache *typeCache
	replay    replayCache // the last replay log (replay.go)
	// compileMu serialises compiling: yaegi keeps the current unit's name
	// and imports as interpreter-wide state.
	compileMu sync.Mutex
	probe     prober
	// importedIn records, for the interpreter importsFor, which imports
	// each unit file name has (guarded by compileMu).
	importsFor *interp.Interpreter
	importedIn map[string]map[importSpec]bool
	sites      panicSites // lines of panic calls, per goroutine
	// exiting is set by os.Exit in a cell until the next cell starts: the
	// deferred calls its panic unwinds through do not run, as a process's
	// deferred calls do not when it exits (runDefers).
	exiting atomic.Bool
	idleGC  idleCollector // gives freed memory back between cells
	// probeFlagVar is the probe flag's variable in the interpreter
	// probeFlagOf (setProbeFlag; guarded by probe.mu).
	probeFlagOf  *interp.Interpreter
	probeFlagVar reflect.Value
	cellSite     int             // the line of the panic that ended the running unit (guarded by mu)
	child        bool            // a child process's session: no cells, output to the process's own stdio
	packages     map[string]bool // see Options.packages

	mu        sync.Mutex // guards out, runCtx, runCancel
	out       backend.Output
	runCtx    context.Context         // the running cell's; nil between cells
	runCancel context.CancelCauseFunc // stops the running cell with a cause
	result    []any                   // the values passed to __gomp.Show
	hasResult bool

	traces         traceLog
	cells          goroutineCells // which cell each goroutine cells started belongs to
	goroutines     atomic.Int64   // goroutines started by cells, alive
	cellSeq        int64          // the running cell's number among Executes (guarded by mu)
	cellGoroutines int64          // goroutines of the running cell, alive (guarded by mu)
	earlierStopped int64          // goroutines of earlier cells alive when the cell was stopped
	stopNoted      bool           // earlierStopped was counted for this cell
	stopped        chan struct{}  // closed once the running cell's interpreter was stopped
	interruptedCh  chan struct{}  // closed if the running cell is interrupted (not when it ends)

	stdout, stderr *cellStream
	stdin          *cellStdin

	printing *cellPrinting            // the cells' fmt and log (fmtnames.go)
	fmtCache atomic.Pointer[fmtTypes] // its type descriptions
}

// Options configure a Session.
type Options struct {
	Logger *log.Logger // the kernel's log; never the notebook
	child  bool        // see NewChildHost
	// packages, when set, are the only library packages loaded (a child's
	// session's imports).
	packages map[string]bool
	// Packages are extra packages cells can import, as yaegi exports.
	Packages []interp.Exports
}

// New starts a session with a fresh interpreter.
func New(opts Options) (*Session, error) {
	s := &Session{logger: opts.Logger, extra: opts.Packages, child: opts.child, packages: opts.packages}
	s.idleGC.busy = func() bool {
		if s.exec.TryLock() {
			s.exec.Unlock()
			return false
		}
		return true
	}
	if s.logger == nil {
		s.logger = log.New(ioDiscard{}, "", 0)
	}
	s.stdout = &cellStream{s: s, name: "stdout"}
	s.stderr = &cellStream{s: s, name: "stderr"}
	s.stdin = &cellStdin{s: s}
	s.out = discardOutput{}
	s.native = newNativeTier(s.logger, &s.traces)
	in, fs, err := s.newInterpreter()
	if err != nil {
		return nil, err
	}
	s.in, s.fs = in, fs
	s.typeCache = newTypeCache()
	s.probe.flag = s.setProbeFlag
	setInterruptSource(s)
	if !s.child {
		mp.SetHost(s) // a child's host is set by mp.RunChild
	}
	return s, nil
}

// newInterpreter makes an interpreter with the stdlib, gomp's packages and the
// overrides that keep a cell from reaching past the notebook: its stdio, its
// os.Exit and its sleeps.
func (s *Session) newInterpreter() (*interp.Interpreter, *memFS, error) {
	fs := newMemFS()
	in := interp.New(interp.Options{
		Stdin:                s.stdin,
		Stdout:               s.stdout,
		Stderr:               s.stderr,
		SourcecodeFilesystem: fs,
		Unrestricted:         true, // the real environment: os.Getenv works as in a program
	})
	// syscall and os/exec: a course on processes looks at them (the process
	// tree with exec.Command("ps", "f"), signals).
	// newerSymbols: what the installed Go has beyond yaegi's tables
	// (strings.SplitSeq, math/rand/v2), generated by go generate.
	for _, lib := range []interp.Exports{stdlib.Symbols, syscall.Symbols, unrestricted.Symbols, newerSymbols} {
		if err := in.Use(s.onlyImported(lib)); err != nil {
			return nil, nil, fmt.Errorf("loading the standard library symbols: %w", err)
		}
	}
	if err := in.Use(s.overrides()); err != nil {
		return nil, nil, fmt.Errorf("loading gomp's overrides: %w", err)
	}
	if err := in.Use(s.fmtSymbols()); err != nil {
		return nil, nil, fmt.Errorf("loading gomp's fmt: %w", err)
	}
	if err := in.Use(display.Symbols); err != nil {
		return nil, nil, fmt.Errorf("loading package display: %w", err)
	}
	if err := in.Use(mp.Symbols); err != nil {
		return nil, nil, fmt.Errorf("loading package mp: %w", err)
	}
	for _, e := range s.extra {
		if err := in.Use(e); err != nil {
			return nil, nil, fmt.Errorf("loading extra packages: %w", err)
		}
	}
	if _, err := in.Eval("var " + probeFlag + " bool"); err != nil {
		return nil, nil, fmt.Errorf("declaring the probe flag: %w", err)
	}
	return in, fs, nil
}

// probeFlag is the interpreted global the probes of cell functions read
// (see prober).
const probeFlag = "__gompProbe"

// setProbeFlag sets the probe flag of the running interpreter.
func (s *Session) setProbeFlag(on bool) {
	s.state.RLock()
	in := s.in
	s.state.RUnlock()
	// The flag's variable is found once per interpreter: listing every
	// global is most of a probe's cost in a session of a few hundred
	// declarations. The prober's lock serialises the callers.
	if s.probeFlagOf != in {
		s.probeFlagOf, s.probeFlagVar = in, globalsOf(in)[probeFlag]
	}
	if v := s.probeFlagVar; v.IsValid() && v.CanSet() {
		v.SetBool(on)
	}
}

// onlyImported returns lib as it is in the kernel; in a child, only the
// packages its session imports (and fmt, whose printing yaegi redirects):
// the interpreter copies every package it is given, and a child that idles
// ready for the next Start should cost little memory.
func (s *Session) onlyImported(lib interp.Exports) interp.Exports {
	if s.packages == nil {
		return lib
	}
	out := interp.Exports{}
	for key, syms := range lib {
		slash := strings.LastIndex(key, "/")
		if slash < 0 { // yaegi's own entries (".": interface wrappers)
			out[key] = syms
			continue
		}
		if path := key[:slash]; s.packages[path] || path == "fmt" {
			out[key] = syms
		}
	}
	return out
}

// Info describes Go for kernel_info.
func (s *Session) Info() backend.LanguageInfo {
	return backend.LanguageInfo{
		Name:              "go",
		Version:           strings.TrimPrefix(runtime.Version(), "go"),
		Mimetype:          "text/x-go",
		FileExtension:     ".go",
		PygmentsLexer:     "go",
		CodemirrorMode:    "go",
		ImplementationVer: Version,
		Banner: "gomp " + Version + ": Go " + strings.TrimPrefix(runtime.Version(), "go") +
			" cells in the yaegi interpreter, with the mp multiprocessing package.\n" +
			"Help: ?fmt.Println (or fmt.Println?) shows documentation.",
		HelpLinks: []backend.HelpLink{
			{Text: "Go documentation", URL: "https://go.dev/doc/"},
			{Text: "Go standard library", URL: "https://pkg.go.dev/std"},
			{Text: "A Tour of Go", URL: "https://go.dev/tour/"},
		},
	}
}

// output returns where cell output goes now.
func (s *Session) output() backend.Output {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out
}

// Close ends the session. Goroutines that cells left running end with the
// process: yaegi offers no way to stop them one by one.
func (s *Session) Close() error {
	s.idleGC.close()
	s.native.close()
	if !s.child {
		// Every child process ends with the kernel (daemon or not).
		mp.Shutdown()
	}
	s.mu.Lock()
	s.out = discardOutput{}
	s.mu.Unlock()
	return nil
}

// discardOutput is the output when no cell has run yet.
type discardOutput struct{}

func (discardOutput) Stream(string, string)   {}
func (discardOutput) Display(backend.Display) {}
func (discardOutput) ClearOutput(bool)        {}
func (discardOutput) Input(context.Context, string, bool) (string, error) {
	return "", backend.ErrNoStdin
}

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }

// symbolValue is reflect.ValueOf, named for what it is used for here.
func symbolValue(v any) reflect.Value { return reflect.ValueOf(v) }

// globalsOf lists an interpreter's global variables. yaegi's Globals panics
// when a failed compile left a variable without its slot; that variable is
// then simply not listed.
func globalsOf(in *interp.Interpreter) (g map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			g = map[string]reflect.Value{}
		}
	}()
	return in.Globals()
}
