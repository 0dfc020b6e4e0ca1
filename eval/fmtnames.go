package eval

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"reflect"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"

	"gomp/typefmt"
)

// fmt for cells: yaegi shows a value of a cell's struct type to compiled
// code as an unnamed struct whose unexported fields are renamed ("Xx"), and
// without its methods, so the real fmt prints `{Xx:1 Xy:2}` for %+v and
// ignores String once the value has crossed a queue. The cells' fmt is
// typefmt with a Describer made from the session's declarations.

// fmtPkgKey loads the cells' fmt symbols over yaegi's. It is not "fmt/fmt":
// yaegi's Use, given that key, rewrites Print, Printf and Println back to
// its own (the real fmt) and recompiles its generic sources; "fmt//fmt"
// names the same package (yaegi cleans the path).
const fmtPkgKey = "fmt//fmt"

// fmtSymbols are the cells' fmt and log functions (and errors.Is and As,
// see errorsnames.go), and the interface wrappers yaegi is to give them (as
// it does for the real fmt), so that a value of a named non-struct type
// keeps its String method.
func (s *Session) fmtSymbols() interp.Exports {
	if s.printing == nil { // the first interpreter's, in New: before any cell
		s.printing = &cellPrinting{
			printer: typefmt.New(sessionTypes{s}, s.stdout),
			logger:  log.New(s.stderr, "", log.LstdFlags),
		}
	}
	pr := s.printing.printer
	syms := map[string]reflect.Value{
		"Print":    reflect.ValueOf(pr.Print),
		"Printf":   reflect.ValueOf(pr.Printf),
		"Println":  reflect.ValueOf(pr.Println),
		"Sprint":   reflect.ValueOf(pr.Sprint),
		"Sprintf":  reflect.ValueOf(pr.Sprintf),
		"Sprintln": reflect.ValueOf(pr.Sprintln),
		"Fprint":   reflect.ValueOf(pr.Fprint),
		"Fprintf":  reflect.ValueOf(pr.Fprintf),
		"Fprintln": reflect.ValueOf(pr.Fprintln),
		"Errorf":   reflect.ValueOf(pr.Errorf),
		"Append":   reflect.ValueOf(pr.Append),
		"Appendf":  reflect.ValueOf(pr.Appendf),
		"Appendln": reflect.ValueOf(pr.Appendln),
	}
	show := reflect.ValueOf(s.show)
	wrappers := []reflect.Type{reflect.TypeFor[fmt.Formatter](), reflect.TypeFor[fmt.Stringer]()}
	mapTypes := map[reflect.Value][]reflect.Type{show: wrappers}
	for _, v := range syms {
		mapTypes[v] = wrappers
	}
	logSyms := logSymbols(pr, s.printing.logger)
	for name, v := range logSyms {
		switch name {
		case "Print", "Printf", "Println", "Panic", "Panicf", "Panicln", "Fatal", "Fatalf", "Fatalln":
			mapTypes[v] = wrappers
		}
	}
	exports := s.errorsSymbols()
	exports["log/log"] = logSyms
	exports[fmtPkgKey] = syms
	exports[runtimePath+"/"+runtimePath] = map[string]reflect.Value{"Show": show}
	exports["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(mapTypes)}
	return exports
}

// cellPrinting is the session's fmt and log: one for all its interpreters,
// so that log.SetFlags holds after a declaration is replaced.
type cellPrinting struct {
	printer *typefmt.Printer
	logger  *log.Logger // on the cells' stderr, as yaegi makes log's
}

// logSymbols are the cells' log functions on l, formatting with pr. Fatal
// panics with its message instead of exiting, as yaegi's does.
func logSymbols(pr *typefmt.Printer, l *log.Logger) map[string]reflect.Value {
	output := func(s string) { l.Output(3, s) }
	panicking := func(s string) { output(s); panic(s) }
	return map[string]reflect.Value{
		"Print":     reflect.ValueOf(func(v ...any) { output(pr.Sprint(v...)) }),
		"Printf":    reflect.ValueOf(func(format string, v ...any) { output(pr.Sprintf(format, v...)) }),
		"Println":   reflect.ValueOf(func(v ...any) { output(pr.Sprintln(v...)) }),
		"Panic":     reflect.ValueOf(func(v ...any) { panicking(pr.Sprint(v...)) }),
		"Panicf":    reflect.ValueOf(func(format string, v ...any) { panicking(pr.Sprintf(format, v...)) }),
		"Panicln":   reflect.ValueOf(func(v ...any) { panicking(pr.Sprintln(v...)) }),
		"Fatal":     reflect.ValueOf(func(v ...any) { panicking(pr.Sprint(v...)) }),
		"Fatalf":    reflect.ValueOf(func(format string, v ...any) { panicking(pr.Sprintf(format, v...)) }),
		"Fatalln":   reflect.ValueOf(func(v ...any) { panicking(pr.Sprintln(v...)) }),
		"Flags":     reflect.ValueOf(l.Flags),
		"Output":    reflect.ValueOf(l.Output),
		"Prefix":    reflect.ValueOf(l.Prefix),
		"SetFlags":  reflect.ValueOf(l.SetFlags),
		"SetOutput": reflect.ValueOf(l.SetOutput),
		"SetPrefix": reflect.ValueOf(l.SetPrefix),
		"Writer":    reflect.ValueOf(l.Writer),
	}
}

// formatResult shows an execute_result's values, several as a tuple,
// with the session's type names.
func (s *Session) formatResult(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = formatValue(v, s.sprintf)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// sprintf is the session's printer, fmt's before it has one.
func (s *Session) sprintf(format string, a ...any) string {
	if s.printing == nil {
		return fmt.Sprintf(format, a...)
	}
	return s.printing.printer.Sprintf(format, a...)
}

// classifyPanic is classifyPanicWith the session's fmt. A panic value of a
// cell's composite type reads as Go's runtime writes it, "(main.point)"
// then the value, %v in place of the address Go prints.
func (s *Session) classifyPanic(v any) (name, value string) {
	// yaegi's interp.Panic holds the value as a reflect.Value of an any.
	if rv, ok := v.(reflect.Value); ok && rv.IsValid() {
		if rv.Kind() == reflect.Interface {
			rv = rv.Elem()
		}
		if rv.IsValid() && rv.CanInterface() {
			v = rv.Interface()
		}
	}
	if s.printing == nil {
		return classifyPanicWith(fmt.Sprint, v)
	}
	return classifyPanicWith(s.panicText, v)
}

// panicText writes a panic value as Go's runtime does: by its Error or
// String method if it has one; a value of a named basic type as
// main.F(1.5); a composite value of a cell's type as (main.point) and the
// value, %v in place of the address Go prints.
func (s *Session) panicText(a ...any) string {
	pr := s.printing.printer
	if len(a) != 1 || a[0] == nil {
		return pr.Sprint(a...)
	}
	v, name := reflect.ValueOf(a[0]), ""
	if isValueInterface(v.Type()) {
		inner, typ := readValueInterface(v)
		if !inner.IsValid() || !inner.CanInterface() {
			return pr.Sprint(a...)
		}
		v, name = inner, typ
	}
	if s.hasStringMethod(a[0]) || s.hasStringMethod(v.Interface()) {
		return pr.Sprint(a...)
	}
	typ := cmp.Or(name, pr.Sprintf("%T", v.Interface()))
	switch v.Kind() {
	case reflect.Struct, reflect.Pointer, reflect.Slice, reflect.Map, reflect.Array:
		if typ != v.Type().String() {
			return "(" + typ + ") " + pr.Sprintf("%v", v.Interface())
		}
	case reflect.String:
		if name != "" {
			return typ + `("` + v.String() + `")`
		}
	default:
		if name != "" {
			return typ + "(" + pr.Sprint(v.Interface()) + ")"
		}
	}
	return pr.Sprint(a...)
}

// hasStringMethod tells whether Go's runtime would print a panic value by
// its Error or String method (which the session's fmt calls).
func (s *Session) hasStringMethod(v any) bool {
	if _, ok := v.(fmt.Stringer); ok {
		return true
	}
	if _, ok := v.(error); ok {
		return true
	}
	t := reflect.TypeOf(v)
	d := sessionTypes{s}.Describe(t)
	if d != nil && d.Inner != nil && isValueInterface(t) {
		_, d = d.Inner(reflect.ValueOf(v))
	}
	return d != nil && (d.String != nil || d.Error != nil)
}

// sessionTypes describes the session's declared struct types to typefmt:
// their names, their source field names, and their String, Error and
// GoString methods, called through small interpreted helpers.
type sessionTypes struct{ s *Session }

// fmtTypes is what sessionTypes derived from one typeCache (one state of
// the declarations).
type fmtTypes struct {
	cache    *typeCache
	types    map[reflect.Type]*typefmt.Type // struct types, and pointers to them
	declared []declaredType
	wrappers sync.Map // wrapper (or valueInterface) reflect.Type → *typefmt.Type
	byName   sync.Map // declared non-struct type name → *typefmt.Type
}

func (d sessionTypes) Describe(t reflect.Type) *typefmt.Type {
	switch t {
	case typedOperandType:
		return d.describeTyped()
	case typedLocalType:
		return describeLocal()
	}
	switch t.Kind() {
	case reflect.Struct:
		if t.Name() != "" {
			switch {
			case isWrapperType(t):
				return d.s.fmtTypesNow().wrapper(t)
			case isValueInterface(t):
				ft := d.s.fmtTypesNow()
				vi, _ := ft.wrappers.LoadOrStore(t, ft.valueInterface(d.s))
				return vi.(*typefmt.Type)
			}
			return nil
		}
	case reflect.Pointer:
		if t.Name() != "" || t.Elem().Kind() != reflect.Struct || t.Elem().Name() != "" {
			return nil
		}
	default:
		return nil
	}
	return d.s.fmtTypesNow().types[t]
}

// isWrapperType recognises yaegi's interface wrappers: a struct of the
// wrapped value, IValue, and a func field per method, W<name>.
func isWrapperType(t reflect.Type) bool {
	if t.NumField() < 2 || t.Field(0).Name != "IValue" || t.Field(0).Type.Kind() != reflect.Interface {
		return false
	}
	for i := 1; i < t.NumField(); i++ {
		if f := t.Field(i); f.Type.Kind() != reflect.Func || !strings.HasPrefix(f.Name, "W") {
			return false
		}
	}
	return true
}

// wrapper describes a yaegi wrapper type: its methods are the wrapped
// value's, and what it carries is told apart with the declarations.
func (ft *fmtTypes) wrapper(t reflect.Type) *typefmt.Type {
	if w, ok := ft.wrappers.Load(t); ok {
		return w.(*typefmt.Type)
	}
	var methods []string
	w := &typefmt.Type{}
	for i := 1; i < t.NumField(); i++ {
		idx, name := i, t.Field(i).Name[1:]
		methods = append(methods, name)
		str := func(v reflect.Value) (string, bool) {
			m := v.Field(idx)
			if m.IsNil() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 || m.Type().Out(0).Kind() != reflect.String {
				return "", false
			}
			return m.Call(nil)[0].String(), true
		}
		switch name {
		case "String":
			w.String = str
		case "Error":
			w.Error = str
		case "GoString":
			w.GoString = str
		case "Format":
			w.Format = func(v reflect.Value, st fmt.State, verb rune) bool {
				m := v.Field(idx)
				if m.IsNil() || m.Type().NumIn() != 2 {
					return false
				}
				m.Call([]reflect.Value{reflect.ValueOf(&st).Elem(), reflect.ValueOf(verb)})
				return true
			}
		}
	}
	w.Inner = func(v reflect.Value) (reflect.Value, *typefmt.Type) {
		return ft.carried(methods, v.Field(0).Elem())
	}
	ft.wrappers.Store(t, w)
	return w
}

// carried reads what a wrapper of a value with the given methods carries.
// yaegi (v0.16.1, getConcreteValue) puts there the value itself, except for
// a value of a struct type, where it puts one of the struct's fields (the
// last one set): the struct is then not to be had, and only the wrapper's
// methods print it. The declarations tell the cases apart, and name a named
// non-struct type (which reflect sees as its underlying type) when only one
// fits.
func (ft *fmtTypes) carried(methods []string, iv reflect.Value) (reflect.Value, *typefmt.Type) {
	if !iv.IsValid() {
		return iv, &typefmt.Type{}
	}
	var structs, others []string
	for _, d := range ft.declared {
		if !d.hasAll(methods) {
			continue
		}
		if d.rt.Kind() == reflect.Struct {
			if d.rt != iv.Type() && hasFieldOf(d.rt, iv.Type()) {
				structs = append(structs, d.name)
			}
		} else if d.rt == iv.Type() {
			others = append(others, d.name)
		}
	}
	switch {
	case len(structs) == 0 && len(others) == 1:
		return iv, &typefmt.Type{Name: "main." + goTypeName(others[0])}
	case len(structs) == 0 || len(others) > 0 || iv.Kind() == reflect.Pointer && ft.types[iv.Type()] != nil:
		return iv, nil
	case len(structs) == 1:
		return reflect.Value{}, &typefmt.Type{Name: "main." + goTypeName(structs[0])}
	}
	return reflect.Value{}, &typefmt.Type{}
}

// hasFieldOf tells whether a struct has a field that can hold a t.
func hasFieldOf(st, t reflect.Type) bool {
	for i := 0; i < st.NumField(); i++ {
		if ft := st.Field(i).Type; ft == t || ft.Kind() == reflect.Interface && t.Implements(ft) {
			return true
		}
	}
	return false
}

// declaredType is one of the session's types as the interpreter has it.
type declaredType struct {
	name    string
	rt      reflect.Type
	methods map[string]bool // declared with a value receiver
}

func (d declaredType) hasAll(methods []string) bool {
	for _, m := range methods {
		if !d.methods[m] {
			return false
		}
	}
	return true
}

// fmtTypesNow returns the descriptions for the session's current
// declarations, building them once per declaration change.
func (s *Session) fmtTypesNow() *fmtTypes {
	s.state.RLock()
	defer s.state.RUnlock()
	if ft := s.fmtCache.Load(); ft != nil && ft.cache == s.typeCache {
		return ft
	}
	ft := &fmtTypes{cache: s.typeCache, types: map[reflect.Type]*typefmt.Type{}}
	specs, methods := declaredTypes(s.decls)
	for name := range specs {
		s.compileMu.Lock()
		v, err := evalQuiet(s.in, "(*"+name+")(nil)")
		s.compileMu.Unlock()
		if err != nil || !v.IsValid() || v.Kind() != reflect.Pointer {
			continue
		}
		d := declaredType{name: name, rt: v.Type().Elem(), methods: map[string]bool{}}
		for _, m := range methods[name] {
			if !m.pointer {
				d.methods[m.name] = true
			}
		}
		ft.declared = append(ft.declared, d)
	}
	// yaegi gives a named non-struct type its underlying type, and struct
	// types of one shape one reflect type: those are not told apart.
	shapes := map[reflect.Type][]string{}
	for _, d := range ft.declared {
		if d.rt.Kind() == reflect.Struct && d.rt.Name() == "" {
			shapes[d.rt] = append(shapes[d.rt], d.name)
		}
	}
	for rt, names := range shapes {
		if len(names) != 1 {
			continue
		}
		name, spec := names[0], specs[names[0]]
		t := &typefmt.Type{Name: "main." + goTypeName(name), Fields: fieldNames(spec, rt.NumField())}
		pt := &typefmt.Type{}
		for _, m := range methods[name] {
			if m.pointer {
				s.setMethod(pt, "*"+name, m.name)
			} else {
				s.setMethod(t, name, m.name)
				s.setMethod(pt, "*"+name, m.name)
			}
		}
		ft.types[rt] = t
		if pt.String != nil || pt.Error != nil || pt.GoString != nil || pt.Format != nil {
			ft.types[reflect.PointerTo(rt)] = pt
		}
	}
	s.fmtCache.Store(ft)
	return ft
}

// setMethod gives t a call of method on values of the type spelled recv,
// if it is one of fmt's string methods.
func (s *Session) setMethod(t *typefmt.Type, recv, method string) {
	switch method {
	case "String", "Error", "GoString":
	case "Format":
		t.Format = s.formatCaller(recv)
		return
	default:
		return
	}
	call := s.methodCaller(recv, method)
	switch method {
	case "String":
		t.String = call
	case "Error":
		t.Error = call
	case "GoString":
		t.GoString = call
	}
}

// helper compiles an interpreted func literal at its first use, and
// returns it (invalid if it does not compile to a func of n parameters).
// "fmt." in it is the fmt the session imports, under its name.
func (s *Session) helper(src string, n int) func() reflect.Value {
	var once sync.Once
	var fn reflect.Value
	return func() reflect.Value {
		once.Do(func() {
			s.state.RLock()
			defer s.state.RUnlock()
			if strings.Contains(src, "fmt.") {
				name := ""
				for _, is := range s.imports {
					if is.path == "fmt" && is.name != "_" && is.name != "." {
						name = cmp.Or(is.name, "fmt")
					}
				}
				if name == "" {
					return
				}
				src = strings.ReplaceAll(src, "fmt.", name+".")
			}
			// Parenthesised: yaegi evaluates a bare func literal to a *any.
			f, err := s.evalExpr("(" + src + ")")
			if err == nil && f.Kind() == reflect.Func && f.Type().NumIn() == n {
				fn = f
			}
		})
		return fn
	}
}

// formatCaller returns a call of a Format method through an interpreted
// helper, `func(v T, f fmt.State, c rune) { v.Format(f, c) }`.
func (s *Session) formatCaller(recv string) func(reflect.Value, fmt.State, rune) bool {
	fn := s.helper("func(v "+recv+", f fmt.State, c rune) { v.Format(f, c) }", 3)
	return func(v reflect.Value, st fmt.State, verb rune) bool {
		f := fn()
		if !f.IsValid() || !v.Type().AssignableTo(f.Type().In(0)) {
			return false
		}
		f.Call([]reflect.Value{v, reflect.ValueOf(&st).Elem(), reflect.ValueOf(verb)})
		return true
	}
}

// methodCaller returns a call of a string method through an interpreted
// helper, `func(v T) string { return v.M() }`, compiled at its first use.
func (s *Session) methodCaller(recv, method string) func(reflect.Value) (string, bool) {
	fnOf := s.helper("func(v "+recv+") string { return v."+method+"() }", 1)
	return func(v reflect.Value) (string, bool) {
		fn := fnOf()
		if !fn.IsValid() || !v.Type().AssignableTo(fn.Type().In(0)) {
			return "", false
		}
		out := fn.Call([]reflect.Value{v})
		if len(out) != 1 || out[0].Kind() != reflect.String {
			return "", false
		}
		return out[0].String(), true
	}
}

type declaredMethod struct {
	name    string
	pointer bool
}

// declaredTypes reads the type specs and the methods of the session's
// declarations from their source.
func declaredTypes(log declLog) (map[string]*ast.TypeSpec, map[string][]declaredMethod) {
	specs := map[string]*ast.TypeSpec{}
	methods := map[string][]declaredMethod{}
	for _, e := range log.entries {
		if e.kind != token.TYPE && e.kind != token.FUNC {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+e.text, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if ts, ok := sp.(*ast.TypeSpec); ok {
						specs[ts.Name.Name] = ts
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || len(d.Recv.List) != 1 {
					continue
				}
				rt := d.Recv.List[0].Type
				_, ptr := rt.(*ast.StarExpr)
				name := receiverTypeName(rt)
				methods[name] = append(methods[name], declaredMethod{d.Name.Name, ptr})
			}
		}
	}
	return specs, methods
}

// fieldNames lists a struct spec's field names, nil unless there are n.
func fieldNames(spec *ast.TypeSpec, n int) []string {
	st, ok := spec.Type.(*ast.StructType)
	if !ok {
		return nil
	}
	var names []string
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			names = append(names, embeddedName(f.Type))
			continue
		}
		for _, id := range f.Names {
			names = append(names, id.Name)
		}
	}
	if len(names) != n {
		return nil
	}
	return names
}

// embeddedName is the field name of an embedded type: T for T, *T, p.T and
// T[K].
func embeddedName(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.SelectorExpr:
			return x.Sel.Name
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			if base, _, isCopy := strings.Cut(x.Name, copyMark); isCopy {
				return base // a generic's copy: the field is the generic's name
			}
			return x.Name
		default:
			return "?"
		}
	}
}
