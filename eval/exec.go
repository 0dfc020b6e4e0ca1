package eval

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"

	"gomp/backend"
	"gomp/display"
	"gomp/mp"
)

// importSpec is one import of the session.
type importSpec struct {
	name string // explicit name, or ""
	path string
}

func (i importSpec) String() string {
	if i.name != "" {
		return i.name + " " + strconv.Quote(i.path)
	}
	return strconv.Quote(i.path)
}

// localName is the name the package is known by in cells.
func (i importSpec) localName() string {
	if i.name != "" {
		return i.name
	}
	return i.path[strings.LastIndex(i.path, "/")+1:]
}

// Execute runs one cell (backend.Interpreter).
func (s *Session) Execute(ctx context.Context, req backend.ExecuteRequest, out backend.Output) backend.ExecuteResult {
	s.idleGC.cellStarted()
	s.exec.Lock()
	defer s.exec.Unlock()
	defer s.idleGC.cellEnded()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(errCellEnded)
	interrupted := make(chan struct{})
	// Children the cell starts are stopped if it is interrupted, not when it
	// ends: mp watches this channel.
	stopWatch := context.AfterFunc(ctx, func() {
		if !errors.Is(context.Cause(ctx), errCellEnded) {
			close(interrupted)
		}
	})
	defer stopWatch()
	s.mu.Lock()
	s.out, s.runCtx, s.runCancel = out, ctx, cancel
	s.cellSeq++
	s.cellGoroutines, s.earlierStopped, s.stopNoted = 0, 0, false
	s.stopped = make(chan struct{})
	s.interruptedCh = interrupted
	s.mu.Unlock()
	s.exiting.Store(false)
	s.native.stop.Store(false) // compiled copies stopped by an interrupt may run again
	defer s.native.schedule()  // the builds of what the cell declared
	display.SetOutput(out)
	// Progress bars redraw on a timer: draw what is pending before the cell
	// ends, since output after a cell's idle status is lost to nbclient.
	defer display.Flush()
	defer func() {
		s.mu.Lock()
		s.runCtx, s.runCancel = nil, nil
		s.mu.Unlock()
	}()
	s.traces.take() // forget traces of panics that were recovered by cell code

	label := "In [ ]"
	if !req.Silent && req.ExecutionCount > 0 {
		label = fmt.Sprintf("In [%d]", req.ExecutionCount)
	}

	if page, ok := s.helpPage(req.Code); ok {
		return backend.ExecuteResult{Payloads: []map[string]any{page}}
	}

	var res backend.ExecuteResult
	value, err := s.runCell(ctx, req.Code, label)
	if err != nil {
		res.Err = s.toError(ctx, err)
		return res
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, errCellEnded) {
		res.Err = s.toError(ctx, cause) // a goroutine's panic after the cell's last statement
		return res
	}
	res.Value = value
	s.prewarm()
	if len(req.UserExpressions) > 0 {
		res.UserExpressions = s.userExpressions(ctx, req.UserExpressions, label)
	}
	return res
}

// prewarm lets mp prepare an idle child with the session as it now is, when
// the notebook uses mp: the next Start then finds a child that has already
// compiled the session's declarations (mp does nothing when the session is
// the one its idle child already has).
func (s *Session) prewarm() {
	s.state.RLock()
	usesMP := false
	for _, is := range s.imports {
		usesMP = usesMP || is.path == "mp"
	}
	s.state.RUnlock()
	if usesMP {
		if err := mp.Prewarm(); err != nil {
			s.logger.Printf("preparing an idle child: %v", err)
		}
	}
}

// runCell runs every unit of a cell in order and returns the final bare
// expression's value, if any.
//
// The cell is split (prepareCell), parsed (each unit), checked (checkCell),
// then run in the order of Go's package scope (packageOrder), each unit
// rewritten from the checker's facts. A cell that declares func main then
// runs it, as go run would.
func (s *Session) runCell(ctx context.Context, code, label string) (backend.MIMEBundle, error) {
	cs, err := prepareCell(code)
	if err != nil {
		return nil, err
	}
	code = cs.code
	units := packageOrder(cs)
	for _, u := range units {
		if _, err := parseUnit(u); err != nil {
			return nil, err // a syntax error, at its line
		}
	}
	facts, err := s.checkCell(cs)
	if err != nil {
		return nil, err
	}
	// The notebook's generics, made concrete for the interpreter.
	if mcs, mfacts, err := s.monomorphize(cs, facts); err != nil {
		return nil, err
	} else if mcs != nil {
		cs, facts, code = mcs, mfacts, mcs.code
		units = packageOrder(cs)
	}
	s.noteGlobals(facts)
	facts.native = s.native.forCell(code)
	facts.initPrefix = fmt.Sprintf("__gompinit%d_", s.seq.Load())
	var value backend.MIMEBundle
	for i, u := range units {
		var err error
		switch {
		case u.kind == unitImport:
			err = s.runImports(u, code, label)
		case u.kind == unitDecl && u.funcs:
			// The variables the cell's functions use are declared first.
			if err = s.hoistVars(ctx, facts, code, label); err == nil {
				err = s.runDecls(ctx, u, code, label, facts)
			}
		case u.kind == unitDecl:
			err = s.runDecls(ctx, u, code, label, facts)
		case u.kind == unitStmts:
			value, err = s.runStmts(ctx, u, code, label, i == len(units)-1, facts)
		}
		if err != nil {
			return nil, err
		}
		if u.kind == unitDecl {
			s.native.declare(s, facts.native)
		}
	}
	s.dropStaleCopies(facts.mono)
	// As a program runs its inits and then main once its package variables
	// are initialised: after the cell's statements.
	calls := facts.inits
	if facts.main {
		calls = append(calls, mainAlias)
	}
	for _, fn := range calls {
		prog, err := s.compile(stmtText(fn+"()"), code, label)
		if err != nil {
			return nil, err
		}
		if _, err := s.run(ctx, prog); err != nil {
			return nil, err
		}
	}
	return value, nil
}

// noteGlobals records the variables a checked cell declares at its top
// level, with their types, for the checks of later cells.
func (s *Session) noteGlobals(facts *cellFacts) {
	if len(facts.topVars) == 0 {
		return
	}
	s.state.Lock()
	defer s.state.Unlock()
	for _, v := range facts.topVars {
		g := globalVar{name: v.name, typ: v.typ, paths: v.paths, local: v.local}
		replaced := false
		for i := range s.globals {
			if s.globals[i].name == v.name {
				s.globals[i], replaced = g, true
			}
		}
		if !replaced {
			s.globals = append(s.globals, g)
		}
	}
}

// hoistVars declares, before the cell's declarations are compiled, the
// variables its statements declare and its functions use: Go's package
// scope, where a function may use a variable declared further down.
func (s *Session) hoistVars(ctx context.Context, facts *cellFacts, code, label string) error {
	if len(facts.hoist) == 0 {
		return nil
	}
	have := globalsOf(s.in)
	var b strings.Builder
	for _, v := range facts.topVars {
		if _, ok := have[v.name]; ok || v.local == "" || !facts.hoist[v.name] {
			continue
		}
		fmt.Fprintf(&b, "var %s %s\n", v.name, v.local)
	}
	if b.Len() == 0 {
		return nil
	}
	prog, err := s.compile(stmtText(b.String()), code, label)
	if err != nil {
		return err
	}
	_, err = s.run(ctx, prog)
	return err
}

// runImports adds a cell's imports to the session. Importing a package the
// session already has is a no-op; the same name for another path replaces it.
func (s *Session) runImports(u unit, code, label string) error {
	p, err := parseUnit(u)
	if err != nil {
		return err
	}
	var added []importSpec
	for _, spec := range p.file.Imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		is := importSpec{path: path}
		if spec.Name != nil {
			is.name = spec.Name.Name
		}
		if s.hasImport(is) {
			continue
		}
		added = append(added, is)
	}
	if len(added) == 0 {
		return nil
	}
	// Check the new imports resolve before adding them: compile a unit that
	// imports them.
	imports := mergeImportSpecs(s.imports, added)
	file := s.nextUnitFile(label, code)
	s.compileMu.Lock()
	err = s.declareImportsLocked(file, imports)
	s.compileMu.Unlock()
	if err != nil {
		return err
	}
	s.state.Lock()
	s.imports = imports
	s.typeCache = newTypeCache()
	s.state.Unlock()
	return nil
}

func (s *Session) hasImport(is importSpec) bool {
	for _, have := range s.imports {
		if have == is {
			return true
		}
	}
	return false
}

// nextUnitFile names the next compiled unit and records which cell it is.
func (s *Session) nextUnitFile(label, code string) string {
	file := fmt.Sprintf("gomp%d.go", s.seq.Add(1))
	s.units.add(file, label, code)
	return file
}

// declareImportsLocked makes file the interpreter's current source name,
// with the given imports in its scope (see memFS for why). The caller holds
// s.compileMu: the current source name is the interpreter's global state.
//
// yaegi scopes imports by the file name of a position, and a //line
// directive changes that name: a unit of replayed declarations needs the
// imports under every cell file its directives name too. A package already
// imported under a name is not imported again (yaegi calls that a
// redeclaration).
func (s *Session) declareImportsLocked(file string, imports []importSpec) (err error) {
	if s.importsFor != s.in {
		s.importsFor, s.importedIn = s.in, map[string]map[importSpec]bool{}
	}
	done := s.importedIn[file]
	if done == nil {
		done = map[importSpec]bool{}
	}
	var b strings.Builder
	b.WriteString("package main\n")
	helpers := importSpec{name: runtimePkg, path: runtimePath}
	for _, is := range append([]importSpec{helpers}, imports...) {
		if !done[is] {
			b.WriteString("import " + is.String() + "\n")
		}
	}
	src := b.String()
	s.fs.put(file, src)
	defer s.fs.remove(file)
	defer recoverYaegi(&err)
	if _, err := s.in.EvalPath(file); err != nil {
		return &importError{err: err}
	}
	done[helpers] = true
	for _, is := range imports {
		done[is] = true
	}
	s.importedIn[file] = done
	return nil
}

// importError is an import that does not resolve.
type importError struct{ err error }

func (e *importError) Error() string {
	msg := e.err.Error()
	if i := strings.Index(msg, "unable to find source related to: "); i >= 0 {
		pkg := strings.Trim(msg[i+len("unable to find source related to: "):], `"`)
		return fmt.Sprintf("package %s is not available in gomp cells (the standard library, mp and display are)", pkg)
	}
	return msg
}

// compile compiles a unit's text under a fresh unit name.
func (s *Session) compile(text, code, label string) (*interp.Program, error) {
	return s.compileAs(s.nextUnitFile(label, code), text)
}

// compileAs compiles text as the unit file, with the session's imports
// (also under the cell files its //line directives name).
func (s *Session) compileAs(file, text string, lineFiles ...string) (prog *interp.Program, err error) {
	s.compileMu.Lock()
	defer s.compileMu.Unlock()
	for _, f := range lineFiles {
		if err := s.declareImportsLocked(f, s.imports); err != nil {
			return nil, err
		}
	}
	if err := s.declareImportsLocked(file, s.imports); err != nil {
		return nil, err
	}
	defer recoverYaegi(&err)
	return s.in.Compile(text)
}

// stmtText prepares a statements unit for yaegi: a leading empty statement
// makes yaegi wrap it in a function even when it starts with var, const or
// func (it would otherwise parse it as a file and reject the statements).
func stmtText(text string) string { return ";" + text }

// run executes a compiled unit with the cell's context.
func (s *Session) run(ctx context.Context, prog *interp.Program) (reflect.Value, error) {
	return s.stopper.execute(ctx, s.in, prog, runHooks{beforeStop: s.noteStop, afterStop: s.markStopped, failed: s.noteCellSite})
}

// noteCellSite runs in the goroutine whose unit failed: it keeps the line of
// the panic call that failed it, if any, for the traceback.
func (s *Session) noteCellSite() {
	line := s.sites.take(goroutineID())
	s.mu.Lock()
	s.cellSite = line
	s.mu.Unlock()
}

func (s *Session) takeCellSite() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	line := s.cellSite
	s.cellSite = 0
	return line
}

// markStopped wakes the interrupted sleeps and reads once the interpreter
// is stopped.
func (s *Session) markStopped() {
	s.native.stop.Store(true) // compiled copies stop at their next check
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.stopped:
	default:
		close(s.stopped)
	}
}

// noteStop counts, just before the interpreter is stopped, the goroutines of
// earlier cells that the stop ends too (yaegi stops all of an interpreter's
// code at once), so the error can say so.
// The first of the stop and the wakers of interrupted sleeps takes the count,
// before any of the goroutines it stops has ended.
func (s *Session) noteStop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopNoted {
		s.stopNoted = true
		s.earlierStopped = s.goroutines.Load() - s.cellGoroutines
	}
}

// recoverYaegi turns a panic inside yaegi itself (its compiler panics on some
// inputs, e.g. "nil type") into an error, so it never reaches the kernel.
func recoverYaegi(err *error) {
	if r := recover(); r != nil {
		*err = &internalError{value: r}
	}
}

// internalError is a panic of the interpreter, not of the cell's code.
type internalError struct{ value any }

func (e *internalError) Error() string { return fmt.Sprintf("%v", e.value) }
