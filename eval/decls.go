package eval

import (
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"

	"github.com/traefik/yaegi/interp"
)

// declLog is the session's declarations (func, method, type, const) in the
// order they were first made, each at its latest definition. It is what a
// rebuilt interpreter (and, later, a child process) replays.
type declLog struct {
	entries []*declEntry
}

// declEntry is one top-level declaration of a cell.
type declEntry struct {
	keys []string // "func f", "method T.M", "type T", "const C"
	kind token.Token
	text string // its source, after rewrites
	src  string // its source as the user wrote it, for the checker
	file string // the unit it was compiled in, for positions
	line int    // its first line in that unit
}

func (l *declLog) find(key string) (int, *declEntry) {
	for i, e := range l.entries {
		for _, k := range e.keys {
			if k == key {
				return i, e
			}
		}
	}
	return -1, nil
}

// put adds an entry, replacing every entry that declared one of its keys.
func (l *declLog) put(n *declEntry) {
	var kept []*declEntry
	for _, e := range l.entries {
		overlap := false
		for _, k := range n.keys {
			for _, ek := range e.keys {
				overlap = overlap || k == ek
			}
		}
		if !overlap {
			kept = append(kept, e)
		}
	}
	l.entries = append(kept, n)
}

// runDecls adds a unit of declarations to the session. New declarations are
// compiled into the running interpreter. A changed one (a func, method, type
// or const declared again differently) rebuilds the interpreter from the
// log: yaegi would otherwise keep earlier functions calling the old func,
// ignore a redefined method, and reject literals of a redefined struct.
// Re-running an unchanged declaration is a no-op.
func (s *Session) runDecls(ctx context.Context, u unit, code, label string, facts *cellFacts) error {
	p, err := parseUnit(u)
	if err != nil {
		return err
	}
	text := rewriteUnit(p, facts)
	rp, err := parseUnit(unit{kind: unitDecl, text: text})
	if err != nil {
		return err
	}
	file := s.nextUnitFile(label, code)
	var fresh, changed []*declEntry
	var entries []*declEntry
	user := 0 // the user's declaration the next one is
	for _, d := range rp.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && strings.HasPrefix(fd.Name.Name, targetPrefix) || isNativeDecl(d) {
			// A target wrapper or the compiled tier's variable, on its
			// function's last line: part of its function's entry (replaced
			// with it).
			if n := len(entries); n > 0 && entries[n-1] != nil {
				entries[n-1].text += "; " + withDoc(rp, d)
			}
			continue
		}
		ud := ast.Decl(nil)
		if user < len(p.file.Decls) {
			ud = p.file.Decls[user]
		}
		user++
		e := newDeclEntry(rp, d, file)
		if e == nil {
			entries = append(entries, nil)
			continue
		}
		if ud != nil {
			e.src = withDoc(p, ud)
			if facts != nil {
				// A monomorphized cell: the checker reads what the user
				// wrote, and a copy stands at its generic's lines.
				if src, ok := facts.mono.userSource(p.off(ud.Pos())); ok {
					e.src = e.src[:p.off(ud.Pos())-p.off(docStart(ud))] + src
				}
				if o, ok := facts.mono.origin(p.off(ud.Pos())); ok {
					e.file, e.line = cmp.Or(o.file, e.file), o.line
				}
			}
		}
		entries = append(entries, e)
	}
	for _, e := range entries {
		if e == nil {
			continue
		}
		// The cell's later statements may take these functions as values.
		for _, k := range e.keys {
			if name, ok := strings.CutPrefix(k, "func "); ok && facts != nil && strings.Contains(e.text, "func "+targetPrefix+name+"(") {
				facts.wrappedInLog[name] = true
			}
		}
		same, differs := s.compare(e)
		switch {
		case differs:
			changed = append(changed, e)
		case !same:
			fresh = append(fresh, e)
		}
	}
	if len(changed) > 0 {
		return s.rebuild(append(changed, fresh...), nil)
	}
	if len(fresh) == 0 {
		return nil
	}
	if err := s.compileDecls(ctx, file, fresh); err != nil {
		return err
	}
	s.state.Lock()
	for _, e := range fresh {
		s.decls.put(e)
	}
	s.typeCache = newTypeCache()
	s.state.Unlock()
	return nil
}

// compare tells whether an entry is already in the log unchanged (same), or
// declares a key the log has with another text (differs).
func (s *Session) compare(e *declEntry) (same, differs bool) {
	same = true
	for _, k := range e.keys {
		_, have := s.decls.find(k)
		switch {
		case have == nil:
			same = false
		case have.text != e.text:
			return false, true
		}
	}
	return same, false
}

// compileDecls compiles and runs entries in the running interpreter, under
// the unit name file, each at its own line.
func (s *Session) compileDecls(ctx context.Context, file string, entries []*declEntry) (err error) {
	var cellFiles []string
	for _, e := range entries {
		if e.file != file {
			cellFiles = append(cellFiles, e.file)
		}
	}
	prog, err := s.compileAs(file, linedText(entries), cellFiles...)
	if err != nil {
		return err
	}
	_, err = s.run(ctx, prog)
	return err
}

// linedText joins entries into one source where each keeps the position it
// had in its cell, by //line directives (which yaegi's positions honour).
func linedText(entries []*declEntry) string {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "\n//line %s:%d:1\n%s\n", e.file, e.line, e.text)
	}
	return b.String()
}

// newDeclEntry describes one parsed declaration; nil for imports and var
// declarations, which are not part of the log (vars are the session's
// globals, carried by value).
func newDeclEntry(p *parsedUnit, d ast.Decl, file string) *declEntry {
	e := &declEntry{file: file}
	switch d := d.(type) {
	case *ast.FuncDecl:
		e.kind = token.FUNC
		if d.Recv != nil && len(d.Recv.List) > 0 {
			e.keys = []string{"method " + receiverTypeName(d.Recv.List[0].Type) + "." + d.Name.Name}
		} else {
			if d.Name.Name == "init" || d.Name.Name == "_" {
				return nil // init runs once where it is declared; never replayed
			}
			e.keys = []string{"func " + d.Name.Name}
		}
	case *ast.GenDecl:
		e.kind = d.Tok
		switch d.Tok {
		case token.TYPE:
			for _, sp := range d.Specs {
				e.keys = append(e.keys, "type "+sp.(*ast.TypeSpec).Name.Name)
			}
		case token.CONST:
			for _, sp := range d.Specs {
				vs := sp.(*ast.ValueSpec)
				for _, n := range vs.Names {
					e.keys = append(e.keys, "const "+n.Name)
				}
			}
		default:
			return nil
		}
	default:
		return nil
	}
	e.text = withDoc(p, d)
	e.line = p.fset.Position(d.Pos()).Line - strings.Count(e.text[:p.off(d.Pos())-p.off(docStart(d))], "\n")
	return e
}

// docStart is where a declaration starts, its doc comment included.
func docStart(d ast.Decl) token.Pos {
	if fd, ok := d.(*ast.FuncDecl); ok && fd.Doc != nil {
		return fd.Doc.Pos()
	}
	if gd, ok := d.(*ast.GenDecl); ok && gd.Doc != nil {
		return gd.Doc.Pos()
	}
	return d.Pos()
}

// withDoc is a declaration's text with its doc comment.
func withDoc(p *parsedUnit, d ast.Decl) string {
	return p.text[p.off(docStart(d)):p.off(d.End())]
}

// receiverTypeName is T for receivers T, *T, T[K] and *T[K].
func receiverTypeName(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return "?"
		}
	}
}

// rebuild replaces the interpreter with a fresh one that has the session's
// imports, its declarations with the given entries put in, and its global
// variables carried over by value (drop: globals not to carry). On failure
// the session is left as it was.
//
// Goroutines that earlier cells left running go on in the old interpreter,
// with the old code; they are not stopped.
func (s *Session) rebuild(entries []*declEntry, drop map[string]bool) error {
	// Other goroutines (mp calls) wait while the session is half built.
	s.state.Lock()
	defer s.state.Unlock()
	log := declLog{entries: append([]*declEntry(nil), s.decls.entries...)}
	for _, e := range entries {
		log.put(e)
	}
	oldIn, oldFS := s.in, s.fs
	oldGlobals := globalsOf(oldIn)
	typeNames := s.typeNamesOf(oldIn, log)
	in, fs, err := s.newInterpreter()
	if err != nil {
		return err
	}
	s.in, s.fs = in, fs
	restore := func() { s.in, s.fs = oldIn, oldFS }

	carried, globalsSrc := s.carriedGlobals(oldGlobals, typeNames, drop)
	if err := s.load(log, globalsSrc); err != nil {
		restore()
		return err
	}
	newGlobals := globalsOf(s.in)
	for name, old := range carried {
		if v, ok := newGlobals[name]; ok && v.CanSet() {
			if c, ok := convertValue(old, v.Type()); ok {
				v.Set(c)
			}
		}
	}
	s.decls = log
	s.typeCache = newTypeCache()
	return nil
}

// carriedGlobals returns the old interpreter's globals whose type can be
// written down (but those in drop), and the source declaring them.
func (s *Session) carriedGlobals(old map[string]reflect.Value, typeNames map[reflect.Type]string, drop map[string]bool) (map[string]reflect.Value, string) {
	carried := map[string]reflect.Value{}
	var b strings.Builder
	for _, name := range sortedKeys(old) {
		v := old[name]
		if drop[name] || strings.HasPrefix(name, "__gomp") || !v.IsValid() {
			continue
		}
		t, ok := typeSource(v.Type(), typeNames, s.imports)
		if !ok {
			// The checker can still write it (sync.Mutex, which gomp
			// replaces); the value is carried when the new type is the
			// same type.
			if t, ok = s.checkedType(name); !ok {
				continue
			}
		}
		fmt.Fprintf(&b, "var %s %s\n", name, t)
		carried[name] = v
	}
	return carried, b.String()
}

// typeNamesOf maps the reflect types of the session's declared types, as the
// old interpreter represents them, to their names: yaegi shows a value of an
// interpreted struct type to reflection as an unnamed struct.
func (s *Session) typeNamesOf(in *interp.Interpreter, log declLog) map[reflect.Type]string {
	names := map[reflect.Type]string{}
	for _, e := range s.decls.entries {
		if e.kind != token.TYPE {
			continue
		}
		for _, k := range e.keys {
			name := strings.TrimPrefix(k, "type ")
			s.compileMu.Lock()
			v, err := evalQuiet(in, "(*"+name+")(nil)")
			s.compileMu.Unlock()
			if err == nil && v.IsValid() && v.Kind() == reflect.Pointer {
				if _, taken := names[v.Type().Elem()]; !taken {
					names[v.Type().Elem()] = name
				}
			}
		}
	}
	return names
}

// evalQuiet evaluates a short expression, catching yaegi's panics.
func evalQuiet(in *interp.Interpreter, src string) (v reflect.Value, err error) {
	defer recoverYaegi(&err)
	return in.Eval(src)
}
