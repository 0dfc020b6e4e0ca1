package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"gomp/mp"
)

// The session is mp's Host: this file is what package mp asks of the
// interpreter (see mp.Host).

// errCellEnded is the cause a cell's context is cancelled with when the cell
// ends normally, as opposed to an interrupt.
var errCellEnded = errors.New("the cell ended")

// snapshotData is the session in the form children replay (mp.Snapshot's
// Session bytes).
type snapshotData struct {
	Imports []importJSON        `json:"imports"`
	Decls   []declJSON          `json:"decls"`
	Globals string              `json:"globals"` // var declarations of the copied globals
	Cells   map[string]cellJSON `json:"cells"`
	// Native are the compiled copies the child loads (nativeTier.adopt).
	Native []nativeJSON `json:"native,omitempty"`
}

type importJSON struct {
	Name string `json:"name,omitempty"`
	Path string `json:"path"`
}

type declJSON struct {
	Keys []string `json:"keys"`
	Kind string   `json:"kind"`
	Text string   `json:"text"`
	File string   `json:"file"`
	Line int      `json:"line"`
}

type cellJSON struct {
	Label string `json:"label"`
	Code  string `json:"code"`
}

// Snapshot returns the session for a child (mp.Host).
func (s *Session) Snapshot() (*mp.Snapshot, error) {
	s.state.RLock()
	defer s.state.RUnlock()
	names := s.typeNames()
	all := globalsOf(s.in)
	globals := map[string]reflect.Value{}
	var decl strings.Builder
	for _, name := range sortedKeys(all) {
		v := all[name]
		if strings.HasPrefix(name, "__gomp") || !v.IsValid() {
			continue
		}
		t, ok := typeSource(v.Type(), names, s.imports)
		if !ok {
			// A type only the checker can write (sync.Mutex, which gomp
			// replaces): the child declares it and starts from its zero
			// value, as a fresh process would; mp.Lock is the shared one.
			if t, ok := s.checkedType(name); ok {
				fmt.Fprintf(&decl, "var %s %s\n", name, t)
			}
			continue
		}
		fmt.Fprintf(&decl, "var %s %s\n", name, t)
		globals[name] = v
	}
	// Every Start takes a snapshot; the session's code only changes with its
	// declarations (which replace the cache) and its set of globals.
	c := s.typeCache
	c.mu.Lock()
	defer c.mu.Unlock()
	native := s.native.loadedCopies()
	if c.snapshot == nil || c.snapshotGlobals != decl.String() || !sameNative(c.snapshotNative, native) {
		d := snapshotData{Globals: decl.String(), Cells: map[string]cellJSON{}, Native: native}
		c.snapshotNative = native
		for _, is := range s.imports {
			d.Imports = append(d.Imports, importJSON{is.name, is.path})
		}
		for _, e := range s.decls.entries {
			d.Decls = append(d.Decls, declJSON{e.keys, e.kind.String(), e.text, e.file, e.line})
			if cell, ok := s.units.lookup(e.file); ok {
				d.Cells[e.file] = cellJSON{cell.label, strings.Join(cell.lines, "\n")}
			}
		}
		data, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("eval: encoding the session: %w", err)
		}
		c.snapshot, c.snapshotGlobals = data, d.Globals
	}
	return &mp.Snapshot{Session: c.snapshot, Globals: globals}, nil
}

// TypeName writes t as Go source in this session (mp.Host).
func (s *Session) TypeName(t reflect.Type) (string, bool) {
	s.state.RLock()
	defer s.state.RUnlock()
	return typeSource(t, s.typeNames(), s.imports)
}

// ResolveType turns a TypeName back into a type of this interpreter
// (mp.Host). Results are cached until the session's declarations change.
func (s *Session) ResolveType(name string) (reflect.Type, error) {
	s.state.RLock()
	cache := s.typeCache
	s.state.RUnlock()
	cache.mu.Lock()
	t, ok := cache.resolved[name]
	cache.mu.Unlock()
	if ok {
		return t, nil
	}
	// A nil pointer, not *new(T): a huge array type must not be allocated.
	s.state.RLock()
	v, err := s.evalExpr("(*" + name + ")(nil)")
	s.state.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("eval: resolving type %s: %w", name, err)
	}
	if v.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("eval: %s is not a type", name)
	}
	t = v.Type().Elem()
	cache.mu.Lock()
	cache.resolved[name] = t
	cache.mu.Unlock()
	return t, nil
}

// Call runs a target in this process (mp.Host).
func (s *Session) Call(t mp.Target, args []reflect.Value) (err error) {
	fn, ferr := s.targetFunc(t)
	if ferr != nil {
		return fmt.Errorf("mp: finding %s in this process: %w", t.Func, withoutUnitPositions(ferr))
	}
	ft := fn.Type()
	in, err := fitArgs(t.Func, ft, args)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = s.targetError(r)
		}
	}()
	s.traces.take()
	fn.Call(in)
	return nil
}

// targetFunc finds a target's function in this interpreter. A method is
// bound to its receiver by way of a hidden global (yaegi's method
// expressions do not take the receiver as their first argument).
func (s *Session) targetFunc(t mp.Target) (reflect.Value, error) {
	s.state.RLock()
	defer s.state.RUnlock()
	if !t.Recv.IsValid() {
		return s.evalExpr(t.Func)
	}
	typ, method, ok := splitMethod(t.Func)
	if !ok {
		return reflect.Value{}, fmt.Errorf("%q is not a method", t.Func)
	}
	const recv = "__gompRecv"
	if _, err := s.evalExpr("var " + recv + " " + typ); err != nil {
		return reflect.Value{}, err
	}
	g, ok := globalsOf(s.in)[recv]
	if !ok {
		return reflect.Value{}, fmt.Errorf("declaring the receiver of %s", t.Func)
	}
	v, ok := convertValue(t.Recv, g.Type())
	if !ok {
		return reflect.Value{}, fmt.Errorf("the receiver of %s is a %s", t.Func, t.Recv.Type())
	}
	g.Set(v)
	return s.evalExpr(recv + "." + method)
}

// splitMethod splits "(*T).M" into "*T" and "M", "T.M" into "T" and "M".
func splitMethod(name string) (typ, method string, ok bool) {
	dot := strings.LastIndex(name, ".")
	if dot < 0 {
		return "", "", false
	}
	typ, method = name[:dot], name[dot+1:]
	typ = strings.TrimSuffix(strings.TrimPrefix(typ, "("), ")")
	return typ, method, true
}

// targetError turns a target's panic into mp's error types.
func (s *Session) targetError(r any) error {
	switch x := r.(type) {
	case exitSignal:
		return &mp.ExitRequest{Code: x.code}
	case *internalError:
		return &mp.TargetPanic{Value: x.value}
	}
	name, value := s.classifyPanic(r)
	tb := s.units.traceback(s.traces.take(), s.sites.take(goroutineID()))
	if name != "panic" {
		value = name + ": " + value
	}
	return &mp.TargetPanic{Value: value, Traceback: tb}
}

// fitArgs converts arguments to the target's parameter types where Go would
// (an untyped 1 passed through ...any arrives as int; the parameter may be a
// float64), and checks their number.
func fitArgs(name string, ft reflect.Type, args []reflect.Value) ([]reflect.Value, error) {
	n := ft.NumIn()
	if ft.IsVariadic() {
		if len(args) < n-1 {
			return nil, fmt.Errorf("mp: %s takes at least %d arguments, got %d", name, n-1, len(args))
		}
	} else if len(args) != n {
		return nil, fmt.Errorf("mp: %s takes %d arguments, got %d", name, n, len(args))
	}
	out := make([]reflect.Value, len(args))
	for i, a := range args {
		var want reflect.Type
		if ft.IsVariadic() && i >= n-1 {
			want = ft.In(n - 1).Elem()
		} else {
			want = ft.In(i)
		}
		switch {
		case !a.IsValid():
			out[i] = reflect.Zero(want)
		case a.Type().AssignableTo(want):
			out[i] = a
		case a.Type().ConvertibleTo(want) && a.Kind() != reflect.String && want.Kind() != reflect.String:
			out[i] = a.Convert(want)
		default:
			if c, ok := convertValue(a, want); ok {
				out[i] = c
				continue
			}
			return nil, fmt.Errorf("mp: argument %d of %s: cannot use a %s as %s", i+1, name, a.Type(), want)
		}
	}
	return out, nil
}

// SetGlobal sets a global variable (mp.Host).
func (s *Session) SetGlobal(name string, v reflect.Value) error {
	s.state.RLock()
	g, ok := globalsOf(s.in)[name]
	s.state.RUnlock()
	if !ok || !g.CanSet() {
		return fmt.Errorf("eval: no global variable %s", name)
	}
	c, ok := convertValue(v, g.Type())
	if !ok {
		return fmt.Errorf("eval: global %s: cannot use a %s as %s", name, v.Type(), g.Type())
	}
	g.Set(c)
	return nil
}

// Cell describes the running cell for mp (mp.Host).
func (s *Session) Cell() mp.CellInfo {
	if s.child {
		return mp.CellInfo{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info := mp.CellInfo{Output: s.out}
	if s.runCtx != nil {
		info.ID = s.cellSeq
		info.Interrupted = s.interruptedCh
		info.Context = s.runCtx
	}
	return info
}

// typeNames maps the reflect types of the session's types to their names,
// cached per declaration log. Callers hold s.state (read or write).
func (s *Session) typeNames() map[reflect.Type]string {
	c := s.typeCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names == nil {
		c.names = s.typeNamesOf(s.in, s.decls)
	}
	return c.names
}

// typeCache holds what is derived from the interpreter's types; it is
// replaced whenever the declarations change.
type typeCache struct {
	mu       sync.Mutex
	names    map[reflect.Type]string
	resolved map[string]reflect.Type
	// The last snapshot's encoding, and the globals declaration it had.
	snapshot        []byte
	snapshotGlobals string
	snapshotNative  []nativeJSON
}

func newTypeCache() *typeCache { return &typeCache{resolved: map[string]reflect.Type{}} }

// evalExpr evaluates a short expression in a unit that has the session's
// imports. Callers hold s.state.
func (s *Session) evalExpr(src string) (reflect.Value, error) {
	file := s.nextUnitFile("(mp)", src)
	s.compileMu.Lock()
	defer s.compileMu.Unlock()
	if err := s.declareImportsLocked(file, s.imports); err != nil {
		return reflect.Value{}, err
	}
	return evalQuiet(s.in, src)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
