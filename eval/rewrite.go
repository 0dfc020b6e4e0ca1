package eval

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// This file holds every source transformation a cell goes through before
// yaegi sees it. Each closes a measured gap between yaegi v0.16.1 and the Go a
// student writes today (DESIGN.md, "Cells"). Edits are spliced into the text
// rather than printed from a changed AST, and never add a line, so the line
// numbers in errors stay the cell's own.

// runtimePkg is the import name under which cells reach gomp's compiled
// helpers (goroutine guard, result display, clear). Users cannot collide with
// it: identifiers may not start with a double underscore in our cells by
// convention, and the name is unexported-looking on purpose.
const runtimePkg = "__gomp"

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

func applyEdits(src string, edits []edit) string {
	// At one offset, insertions go before a replacement that starts there.
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		return edits[i].end-edits[i].start < edits[j].end-edits[j].start
	})
	var b strings.Builder
	at := 0
	for _, e := range edits {
		if e.start < at { // overlapping edits: keep the first
			continue
		}
		b.WriteString(src[at:e.start])
		b.WriteString(e.text)
		at = e.end
	}
	b.WriteString(src[at:])
	return b.String()
}

// parsedUnit is a unit's text parsed by go/parser, with what is needed to map
// positions back to the unit's text.
type parsedUnit struct {
	fset   *token.FileSet
	file   *ast.File
	prefix int // bytes of wrapper text before the unit's first byte
	text   string
	body   []ast.Stmt // statements, for a statements unit
}

const (
	declPrefix = "package main;"
	stmtPrefix = "package main; func __gompcell() {"
)

// parseUnit parses a unit, wrapping statements in a function so go/parser
// accepts them. The wrapper sits on the first line, so line numbers match.
func parseUnit(u unit) (*parsedUnit, error) {
	p := &parsedUnit{fset: token.NewFileSet(), text: u.text}
	var src string
	switch u.kind {
	case unitStmts:
		p.prefix = len(stmtPrefix)
		src = stmtPrefix + u.text + "\n}"
	default:
		p.prefix = len(declPrefix)
		src = declPrefix + u.text
	}
	f, err := parser.ParseFile(p.fset, "cell.go", src, parser.SkipObjectResolution|parser.ParseComments)
	if err != nil {
		return nil, p.cellError(err)
	}
	p.file = f
	if u.kind == unitStmts {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "__gompcell" {
				p.body = fd.Body.List
			}
		}
	}
	return p, nil
}

// off converts a position to an offset into the unit's text.
func (p *parsedUnit) off(pos token.Pos) int { return p.fset.Position(pos).Offset - p.prefix }

// cellError rewrites parser positions from the wrapped source to the cell's.
func (p *parsedUnit) cellError(err error) error {
	list, ok := err.(scanner.ErrorList)
	if !ok {
		return err
	}
	var msgs []string
	for i, e := range list {
		if i == 3 {
			msgs = append(msgs, fmt.Sprintf("(and %d more errors)", len(list)-3))
			break
		}
		col := e.Pos.Column
		if e.Pos.Line == 1 {
			col -= p.prefix
		}
		msg := strings.ReplaceAll(e.Msg, "__gompcell", "cell")
		msgs = append(msgs, fmt.Sprintf("line %d, column %d: %s", e.Pos.Line, col, msg))
	}
	return &compileError{msg: strings.Join(msgs, "\n"), line: list[0].Pos.Line}
}

// compileError is a cell that does not compile; line is the cell line.
type compileError struct {
	msg  string
	line int
}

func (e *compileError) Error() string { return e.msg }

// rewriter collects the edits for one unit.
type rewriter struct {
	p     *parsedUnit
	edits []edit
	seq   int
	f     *cellFacts // the checker's facts; nil for text that was checked before
	// loopVars are the variables loops of the unit declare (for i := ...,
	// for k, v := range ...).
	loopVars map[types.Object]bool
	wrapped  map[string]bool // the unit's functions given a target wrapper
}

func (r *rewriter) fresh(base string) string {
	r.seq++
	return fmt.Sprintf("__gomp%s%d", base, r.seq)
}

// rewriteUnit applies the transformations to a parsed unit and returns the
// new text.
func rewriteUnit(p *parsedUnit, f *cellFacts) string {
	return applyEdits(p.text, unitEdits(p, f))
}

// unitEdits returns the edits of every transformation of a unit.
func unitEdits(p *parsedUnit, f *cellFacts) []edit {
	r := &rewriter{p: p, f: f, wrapped: map[string]bool{}}
	r.loopVars = r.findLoopVars(p.file)
	r.nativeAnalyse()
	ast.Inspect(p.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			r.guardGo(n)
		case *ast.RangeStmt:
			r.rangeLoop(n)
		case *ast.CallExpr:
			r.builtinCall(n)
			r.genericCall(n)
			r.fmtOperands(n)
		case *ast.IndexExpr, *ast.IndexListExpr:
			if r.iterType(n.(ast.Expr)) {
				return false
			}
		case *ast.SelectorExpr:
			if r.methodExpr(n) {
				return false
			}
		case *ast.StructType:
			r.hideUnexported(n)
		case *ast.TypeAssertExpr:
			r.interfaceAssertion(n)
		case *ast.LabeledStmt:
			r.breakFromSelect(n)
		case *ast.FuncDecl:
			r.renameInit(n)
			r.nativePrologue(n)
			if n.Name.Name != "__gompcell" { // the cell's statements are no target
				r.probeFunc(n)
			}
			if n.Body != nil {
				r.nameParams(n.Type)
				if n.Name.Name != "__gompcell" { // the cell's statements: see eagerDefers
					r.eagerDefers(n.Body)
				}
			}
		case *ast.FuncLit:
			r.probeBody(n.Body, `""`, "nil")
			r.nameParams(n.Type)
			r.eagerDefers(n.Body)
		}
		return true
	})
	for _, st := range p.body {
		r.isolateBlock(st)
	}
	r.renameMain()
	r.targetUses(p.file)
	// After guardGo: at a go statement's first byte, its guard comes first.
	r.perIterationVars(p.file)
	return r.edits
}

// mainAlias is what a cell's func main (and every use of it) is renamed
// to: yaegi runs a package main's main() at the end of every compilation
// once one is declared, so a notebook's main would run again at each later
// cell, inside the evaluator's locks.
const mainAlias = "__gompMain"

// renameMain renames the identifier main wherever it can name the
// package-level func main: not field or method names, nor keys of
// composite literals (which may be field names).
func (r *rewriter) renameMain() {
	notVars := map[*ast.Ident]bool{}
	ast.Inspect(r.p.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			notVars[n.Sel] = true
		case *ast.StructType:
			for _, f := range n.Fields.List {
				for _, id := range f.Names {
					notVars[id] = true
				}
			}
		case *ast.InterfaceType:
			for _, f := range n.Methods.List {
				for _, id := range f.Names {
					notVars[id] = true
				}
			}
		case *ast.FuncDecl:
			if n.Recv != nil {
				notVars[n.Name] = true
			}
		case *ast.CompositeLit:
			for _, e := range n.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						notVars[id] = true
					}
				}
			}
		case *ast.Ident:
			if n.Name == "main" && !notVars[n] {
				r.edits = append(r.edits, edit{r.p.off(n.Pos()), r.p.off(n.End()), mainAlias})
			}
		}
		return true
	})
}

// isolateBlock runs a top-level compound statement of a cell (a for, if,
// switch, select or block) inside a function literal when it declares
// several variables from one multi-value expression (b, err := f()): yaegi
// v0.16.1 loses such variables in nested blocks of top-level code ("undefined:
// b"), but not in a function. Variables declared inside these statements are
// local to them anyway, so nothing changes for the cell, unless the
// statement defers (its defer would run at its end) or jumps (goto, labels):
// those are left as they are.
//
// So is a loop whose variables get per-iteration copies (perIterationVars):
// at yaegi's top level, closures made in two such loops can share one
// variable's storage ("reflect: call of reflect.Value.SetInt on string
// Value").
func (r *rewriter) isolateBlock(st ast.Stmt) {
	switch st.(type) {
	case *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt, *ast.BlockStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
	default:
		return
	}
	multi, unsafe := false, false
	ast.Inspect(st, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			multi = multi || (n.Tok == token.DEFINE && len(n.Lhs) > 1 && len(n.Rhs) == 1)
		case *ast.ValueSpec:
			multi = multi || (len(n.Names) > 1 && len(n.Values) == 1)
		case *ast.DeferStmt, *ast.LabeledStmt:
			unsafe = true
		case *ast.BranchStmt:
			unsafe = unsafe || n.Tok == token.GOTO
		}
		return true
	})
	if (!multi && !r.copiesLoopVars(st)) || unsafe {
		return
	}
	start, end := r.p.off(st.Pos()), r.p.off(st.End())
	r.edits = append(r.edits, edit{start, start, "func() { "}, edit{end, end, " }();"})
}

// probeFunc adds to a top-level function or method the check that lets mp
// tell which declaration a function value is (DESIGN.md: yaegi hands
// compiled code a fresh wrapper for every function value, with no name).
// When mp probes a value, the check reports the function's name (and, for a
// method value, its receiver) instead of running it. Function literals
// report an empty name: a closure cannot run in another process.
//
// A plain function gets no check in its own body, where every call would
// pay for it (fib(27) took 1.8 times plain yaegi's time): it gets a target
// wrapper, __gompT_name, which has the check and calls it, and every use of
// the function as a value (not a call) is rewritten to the wrapper
// (targetUses). Only a value can reach mp. A generic function's check
// reports that it is generic, so that it never runs in a probe.
func (r *rewriter) probeFunc(fd *ast.FuncDecl) {
	if fd.Body == nil || fd.Name.Name == "init" || fd.Name.Name == "_" {
		return
	}
	if fd.Type.TypeParams != nil {
		if fd.Recv == nil {
			r.probeBody(fd.Body, strconv.Quote(genericProbe+fd.Name.Name), "nil")
		}
		return
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		name := fd.Name.Name
		if name == "main" {
			name = mainAlias // renameMain renames it
			r.probeBody(fd.Body, strconv.Quote(name), "nil")
			return
		}
		if w, ok := r.targetWrapper(fd); ok {
			end := r.p.off(fd.End())
			r.edits = append(r.edits, edit{end, end, "; " + w})
			r.wrapped[name] = true
			return
		}
		r.probeBody(fd.Body, strconv.Quote(name), "nil")
		return
	}
	field := fd.Recv.List[0]
	typ := field.Type
	star := false
	if st, ok := typ.(*ast.StarExpr); ok {
		typ, star = st.X, true
	}
	id, ok := typ.(*ast.Ident)
	if !ok {
		return // a generic receiver (T[K])
	}
	name := id.Name + "." + fd.Name.Name
	if star {
		name = "(*" + id.Name + ")." + fd.Name.Name
	}
	recv := "__gompr"
	if len(field.Names) == 1 && field.Names[0].Name != "_" {
		recv = field.Names[0].Name
	} else {
		at := r.p.off(field.Type.Pos())
		if len(field.Names) == 1 {
			r.edits = append(r.edits, edit{r.p.off(field.Names[0].Pos()), r.p.off(field.Names[0].End()), recv})
		} else {
			r.edits = append(r.edits, edit{at, at, recv + " "})
		}
	}
	r.probeBody(fd.Body, strconv.Quote(name), recv)
}

// nameParams names the parameters of a function with a body whose
// parameters have no names (func f(int)): yaegi v0.16.1 gives unnamed
// parameters no frame slot, so the first statement of the body (the probe)
// reads the wrong slot.
func (r *rewriter) nameParams(ft *ast.FuncType) {
	if ft.Params == nil {
		return
	}
	for _, f := range ft.Params.List {
		if len(f.Names) > 0 {
			return // all are named, or none is
		}
	}
	for _, f := range ft.Params.List {
		at := r.p.off(f.Type.Pos())
		r.edits = append(r.edits, edit{at, at, r.fresh("Arg") + " "})
	}
}

// probeBody inserts the probe check at the top of a function body.
func (r *rewriter) probeBody(body *ast.BlockStmt, name, recv string) {
	at := r.p.off(body.Lbrace) + 1
	r.edits = append(r.edits, edit{at, at, " if " + probeFlag + " { " + runtimePkg + ".Identify(" + name + ", " + recv + ") };"})
}

// guardGo wraps the call of a go statement in a function literal whose
// deferred recover reports the goroutine's panic (and os.Exit) in the
// notebook: in yaegi such a panic would kill the kernel process.
// `go f(x)` becomes
// `{ __gompgo := func(__gompg int64) { __gomp.GoEnter(__gompg); defer func() { __gomp.GoEnd(__gompg, recover()) }(); f(x) }; go __gompgo(__gomp.GoStart()) }`.
// GoStart is an argument, so it runs in the goroutine that executes the go
// statement and notes the cell the new goroutine belongs to; GoEnter binds
// the new goroutine to it. yaegi starts a goroutine on a copy of the
// caller's frame, so f and x, evaluated in the new goroutine, have the
// values they had at the go statement (globals excepted: they are shared).
//
// The guard is a function literal too: the loop variables the call uses
// are its parameters (see perIterationVars), so the goroutine gets the
// iteration's values. (A compiled guard taking a closure would lose it:
// yaegi hands compiled code a closure made by a factory with the caller's
// frame, not the factory's.)
func (r *rewriter) guardGo(g *ast.GoStmt) {
	call := g.Call
	start, end := r.p.off(call.Pos()), r.p.off(call.End())
	params, args := "", ""
	if r.f != nil {
		if p, a, ok := r.usedLoopVars(call, call); ok && p != "" {
			params, args = ", "+p, ", "+a
		}
	}
	// The guard is a variable's value when the go statement runs: yaegi,
	// given a function literal there, can read its value as nil while
	// another goroutine is making it ("call of nil function").
	r.edits = append(r.edits,
		edit{r.p.off(g.Pos()), start, "{ __gompgo := "},
		edit{start, start, "func(__gompg int64" + params + ") { " + runtimePkg + ".GoEnter(__gompg); defer func() { " + runtimePkg + ".GoEnd(__gompg, recover()) }(); "},
		edit{end, end, " }; go __gompgo(" + runtimePkg + ".GoStart()" + args + ") }"})
}

// rangeLoop gives `for k, v := range x` Go 1.22 per-iteration variables, and
// turns range over an integer (which makes yaegi's compiler panic) into a
// counting loop.
func (r *rewriter) rangeLoop(rs *ast.RangeStmt) {
	if rs.Tok == token.DEFINE || (rs.Key == nil && rs.Value == nil) {
		if isInteger(r.typeOf(rs.X)) {
			r.rangeInt(rs)
			return
		}
		if t := r.typeOf(rs.X); t != nil {
			if sig, ok := t.Underlying().(*types.Signature); ok {
				r.rangeFunc(rs, sig)
			}
		}
		if rangesOverChans(r.typeOf(rs.X)) {
			r.rangeChans(rs)
		}
	}
}

// rangesOverChans reports whether t is a slice or array of channels (or a
// pointer to such an array), which yaegi cannot range over ("reflect: call
// of reflect.Value.Len on int Value"): it takes the elements' channel type
// for the loop's.
func rangesOverChans(t types.Type) bool {
	if t == nil {
		return false
	}
	u := t.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		u = p.Elem().Underlying()
		if _, isArray := u.(*types.Array); !isArray {
			return false
		}
	}
	var elem types.Type
	switch u := u.(type) {
	case *types.Slice:
		elem = u.Elem()
	case *types.Array:
		elem = u.Elem()
	default:
		return false
	}
	_, isChan := elem.Underlying().(*types.Chan)
	return isChan
}

// rangeChans rewrites a range over a slice or array of channels as a
// counting loop over the value, evaluated once:
// `for __i, __x := 0, x; __i < len(__x); __i++ { k, v := __i, __x[__i]; ... }`.
// The body's copies are the iteration's own variables.
func (r *rewriter) rangeChans(rs *ast.RangeStmt) {
	x := r.p.text[r.p.off(rs.X.Pos()):r.p.off(rs.X.End())]
	counter, over := r.fresh("i"), r.fresh("x")
	header := fmt.Sprintf("for %s, %s := 0, %s; %s < len(%s); %s++ ", counter, over, x, counter, over, counter)
	r.edits = append(r.edits, edit{r.p.off(rs.For), r.p.off(rs.Body.Lbrace), header})
	var names, values []string
	if id, ok := rs.Key.(*ast.Ident); ok && id.Name != "_" {
		names, values = append(names, id.Name), append(values, counter)
	}
	if id, ok := rs.Value.(*ast.Ident); ok && id.Name != "_" {
		names, values = append(names, id.Name), append(values, over+"["+counter+"]")
	}
	r.copyIn(rs.Body, names, values)
}

// rangeInt rewrites `for i := range n { ... }` as
// `for __i, __n := T(0), T(n); __i < __n; __i++ { i := __i; ... }`, T
// being n's type as the checker found it: n is evaluated once, as Go does,
// and the body's copy gives i its per-iteration life.
func (r *rewriter) rangeInt(rs *ast.RangeStmt) {
	x := r.p.text[r.p.off(rs.X.Pos()):r.p.off(rs.X.End())]
	counter, limit := r.fresh("i"), r.fresh("n")
	t, ok := r.f.typeString(r.typeOf(rs.X))
	if !ok {
		return // a type the cell cannot name: yaegi will say what it thinks
	}
	header := fmt.Sprintf("for %s, %s := %s(0), %s(%s); %s < %s; %s++ ", counter, limit, t, t, x, counter, limit, counter)
	r.edits = append(r.edits, edit{r.p.off(rs.For), r.p.off(rs.Body.Lbrace), header})
	if id, ok := rs.Key.(*ast.Ident); ok && id.Name != "_" {
		r.copyIn(rs.Body, []string{id.Name}, []string{counter})
	}
}

// copyIn declares, at the top of a loop body, the user's variables as copies
// of the hidden loop variables. `_ = x` keeps an unused copy legal.
func (r *rewriter) copyIn(body *ast.BlockStmt, names, hidden []string) {
	if len(names) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, " %s := %s;", strings.Join(names, ", "), strings.Join(hidden, ", "))
	for _, n := range names {
		fmt.Fprintf(&b, " _ = %s;", n)
	}
	at := r.p.off(body.Lbrace) + 1
	r.edits = append(r.edits, edit{at, at, b.String()})
}

// builtinCall replaces calls of the builtins yaegi lacks or gets wrong,
// when the checker says the name is the builtin (a cell may declare its own
// min):
//   - clear becomes a reflective helper (maps and slices are references, so
//     clearing through reflection is exact);
//   - min and max become a function literal of the arguments' type, or the
//     constant the checker computed;
//   - new(expr), Go 1.26's, becomes a function literal returning a pointer
//     to a copy of the value;
//   - panic records the line of the call, for the traceback;
//   - print and println write to standard error in the runtime's formats.
func (r *rewriter) builtinCall(c *ast.CallExpr) {
	id, ok := c.Fun.(*ast.Ident)
	if !ok || r.f == nil || !r.f.builtin(r.p.off(id.Pos()), id.Name) {
		return
	}
	start, end := r.p.off(c.Pos()), r.p.off(c.End())
	switch id.Name {
	case "panic":
		if len(c.Args) == 1 {
			at := r.p.off(c.Args[0].Pos())
			line := r.p.fset.Position(c.Pos()).Line
			if r.f != nil {
				line = r.f.mono.originLine(start, line) // in a generic's copy: the generic's line
			}
			r.edits = append(r.edits,
				edit{at, at, fmt.Sprintf("%s.At(%d, ", runtimePkg, line)},
				edit{r.p.off(c.Args[0].End()), r.p.off(c.Args[0].End()), ")"})
		}
	case "recover":
		// The panic's value, with yaegi's runtime panics as Go's errors.
		r.edits = append(r.edits, edit{start, start, runtimePkg + ".Recovered("}, edit{end, end, ")"})
	case "print", "println":
		fn := "Print"
		if id.Name == "println" {
			fn = "Println"
		}
		r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), runtimePkg + "." + fn})
	case "make":
		r.makeCall(c) // fatal.go
	case "clear":
		if len(c.Args) == 1 {
			r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), runtimePkg + ".Clear"})
		}
	case "min", "max":
		tv, ok := r.f.tv(start, end)
		if !ok || len(c.Args) == 0 {
			return
		}
		if tv.Value != nil {
			if lit, ok := r.constantText(tv); ok {
				r.edits = append(r.edits, edit{start, end, lit})
			}
			return
		}
		t, ok := r.f.typeString(tv.Type)
		if !ok {
			return
		}
		op := "<"
		if id.Name == "max" {
			op = ">"
		}
		// v != v: a NaN argument makes the result NaN, as the builtins do.
		fn := fmt.Sprintf("func(m %s, rest ...%s) %s { for _, v := range rest { if v %s m || v != v { m = v } }; return m }", t, t, t, op)
		r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), "(" + fn + ")"})
	case "new":
		if len(c.Args) != 1 {
			return
		}
		arg, ok := r.f.tv(r.p.off(c.Args[0].Pos()), r.p.off(c.Args[0].End()))
		if !ok || arg.IsType() {
			return // new(T), which yaegi has
		}
		t, ok := r.f.typeString(arg.Type)
		if !ok {
			return
		}
		at, argEnd := r.p.off(c.Args[0].Pos()), r.p.off(c.Args[0].End())
		r.edits = append(r.edits,
			edit{start, at, fmt.Sprintf("func() *%s { v := %s(", t, t)},
			edit{argEnd, end, "); return &v }()"})
	}
}

// constantText writes a constant the checker computed as Go source of its
// type.
func (r *rewriter) constantText(tv types.TypeAndValue) (string, bool) {
	t, ok := r.f.typeString(tv.Type)
	if !ok {
		return "", false
	}
	var lit string
	switch tv.Value.Kind() {
	case constant.Int:
		lit = tv.Value.ExactString()
	case constant.Float:
		f, _ := constant.Float64Val(tv.Value)
		lit = strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(lit, ".eEn") {
			lit += ".0"
		}
	case constant.String:
		lit = tv.Value.ExactString()
	default:
		return "", false
	}
	if b, ok := tv.Type.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		return "(" + lit + ")", true
	}
	return t + "(" + lit + ")", true
}

// typeOf is the checker's type of an expression of the unit.
func (r *rewriter) typeOf(e ast.Expr) types.Type {
	return r.f.typeOf(r.p.off(e.Pos()), r.p.off(e.End()))
}

// isInteger reports whether t is an integer type (or an untyped integer
// constant's).
func isInteger(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// perIterationVars gives loop variables Go 1.22's per-iteration life where
// it can show: when a function literal in the loop's body uses one, or its
// address is taken there. yaegi has one variable for the whole loop (DESIGN.md:
// three closures made in `for i := range 3` all see the last i), but a
// variable declared inside a loop's body is a new one at every iteration,
// shared by the body and the closures made in it. So
//
//	for i := 0; i < n; i++ { body }
//
// becomes
//
//	for __gompv1 := 0; __gompv1 < n; __gompv1++ {
//		i := __gompv1; _ = i
//		__gompiter2: for __gompk3 := true; __gompk3; __gompk3 = false { body }
//		__gompv1 = i
//	}
//
// The body and its closures share the iteration's own i, a closure sees the
// changes its iteration makes and makes changes the iteration sees, and the
// next iteration starts from the value the body left, as in Go. The
// once-loop around the body keeps that true through continue: the loop's
// continue ends the once-loop's only round and the value still carries
// over. So the loop's unlabeled break names the loop, and a continue that
// names the loop (from a loop inside) names the once-loop. The header's
// variable gets a hidden name, because yaegi does not shadow it in the
// body correctly at a cell's top level.
//
// A range loop's variables need only the copy: the next iteration does
// not start from them. Range over an integer, a function or a slice of
// channels gets fresh variables already (rangeInt, rangeFunc, rangeChans).
func (r *rewriter) perIterationVars(file *ast.File) {
	if len(r.loopVars) == 0 {
		return
	}
	labels := map[ast.Stmt]string{} // a loop → its label
	ast.Inspect(file, func(n ast.Node) bool {
		if l, ok := n.(*ast.LabeledStmt); ok {
			labels[l.Stmt] = l.Label.Name
		}
		return true
	})
	ast.Inspect(file, func(n ast.Node) bool {
		if lit, ok := n.(*ast.FuncLit); ok && r.closureFactory(lit) {
			return false
		}
		return true
	})
	ast.Inspect(file, func(n ast.Node) bool {
		if st, ok := n.(ast.Stmt); ok {
			if vars, body, carry := r.loopCopies(st); vars != nil {
				r.iterationCopy(st, body, vars, carry, labels[st])
			}
		}
		return true
	})
}

// loopCopies returns the variables of a loop that perIterationVars may copy
// (nil for other statements, and for loops whose variables are fresh
// already), its body, and whether the next iteration starts from them.
func (r *rewriter) loopCopies(st ast.Stmt) (vars []ast.Expr, body *ast.BlockStmt, carry bool) {
	switch st := st.(type) {
	case *ast.ForStmt:
		if init, ok := st.Init.(*ast.AssignStmt); ok && init.Tok == token.DEFINE {
			return init.Lhs, st.Body, true
		}
	case *ast.RangeStmt:
		t := r.typeOf(st.X)
		if st.Tok != token.DEFINE || t == nil || isInteger(t) || rangesOverChans(t) {
			return nil, nil, false
		}
		if _, isFunc := t.Underlying().(*types.Signature); isFunc {
			return nil, nil, false
		}
		return []ast.Expr{st.Key, st.Value}, st.Body, false
	}
	return nil, nil, false
}

// copiedVars are the names of a loop's variables that its body captures.
func (r *rewriter) copiedVars(vars []ast.Expr, body *ast.BlockStmt) []string {
	var names []string
	for _, e := range vars {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" && r.captured(r.f.defs[r.p.off(id.Pos())], body) {
			names = append(names, id.Name)
		}
	}
	return names
}

// closureFactory makes a function literal that uses variables of loops
// around it in a factory of pointers to them: yaegi can make a literal
// handed to compiled code (wg.Go(func() { ... })) with the frame as it is
// when the literal runs, not as it was when it was made, so it would see
// the last iteration's variable. A factory's parameters are its own:
//
//	func() { use(i) }
//
// becomes
//
//	func(__gompp1 *int) func() { return func() { use((*__gompp1)) } }(&i)
//
// and &i is the iteration's own variable (see perIterationVars).
func (r *rewriter) closureFactory(lit *ast.FuncLit) bool {
	var params, args []string
	ptr := map[types.Object]string{}
	ok := true
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		id, isID := n.(*ast.Ident)
		if !isID {
			return true
		}
		obj := r.f.object(r.p.off(id.Pos()))
		if obj == nil || !r.loopVars[obj] {
			return true
		}
		if at := r.f.defAt[obj]; at >= r.p.off(lit.Pos()) && at < r.p.off(lit.End()) {
			return true // a loop inside the literal
		}
		p, seen := ptr[obj]
		if !seen {
			t, known := r.f.typeString(obj.Type())
			ok = ok && known
			p = r.fresh("p")
			ptr[obj] = p
			params = append(params, p+" *"+t)
			args = append(args, "&"+obj.Name())
		}
		return true
	})
	if !ok || len(params) == 0 {
		return false
	}
	var uses []edit
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if id, isID := n.(*ast.Ident); isID {
			if p, found := ptr[r.f.object(r.p.off(id.Pos()))]; found {
				uses = append(uses, edit{r.p.off(id.Pos()), r.p.off(id.End()), "(*" + p + ")"})
			}
		}
		return true
	})
	typ := r.p.text[r.p.off(lit.Type.Pos()):r.p.off(lit.Type.End())]
	start, end := r.p.off(lit.Pos()), r.p.off(lit.End())
	r.edits = append(r.edits, edit{start, start, fmt.Sprintf("func(%s) %s { return ", strings.Join(params, ", "), typ)})
	r.edits = append(r.edits, uses...)
	r.edits = append(r.edits, edit{end, end, fmt.Sprintf(" }(%s)", strings.Join(args, ", "))})
	return true
}

// iterationCopy declares, in a loop's body, the iteration's own copies of
// the loop's variables that the body captures (see perIterationVars), and,
// when carry is set, carries their values over to the next iteration.
func (r *rewriter) iterationCopy(loop ast.Stmt, body *ast.BlockStmt, vars []ast.Expr, carry bool, label string) {
	names := r.copiedVars(vars, body)
	if len(names) == 0 {
		return
	}
	list := strings.Join(names, ", ")
	open, end := r.p.off(body.Lbrace)+1, r.p.off(body.Rbrace)
	// The header's variables get hidden names (see perIterationVars).
	hidden := make([]string, len(names))
	rename := map[types.Object]string{}
	for _, e := range vars {
		id, _ := e.(*ast.Ident)
		for j, n := range names {
			if id != nil && id.Name == n {
				hidden[j] = r.fresh("v")
				rename[r.f.defs[r.p.off(id.Pos())]] = hidden[j]
				r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), hidden[j]})
			}
		}
	}
	hiddenList := strings.Join(hidden, ", ")
	// `_, _ = k, v`: the copies may go unused in the body.
	blanks := strings.TrimSuffix(strings.Repeat("_, ", len(names)), ", ")
	if !carry {
		r.edits = append(r.edits, edit{open, open, fmt.Sprintf(" %s := %s; %s = %s;", list, hiddenList, blanks, list)})
		return
	}
	fs := loop.(*ast.ForStmt)
	for _, part := range []ast.Node{fs.Init, fs.Cond, fs.Post} {
		if part == nil {
			continue
		}
		ast.Inspect(part, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if h, found := rename[r.f.object(r.p.off(id.Pos()))]; found {
					r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), h})
				}
			}
			return true
		})
	}
	once, onceVar := r.fresh("iter"), r.fresh("k")
	r.edits = append(r.edits,
		edit{open, open, fmt.Sprintf(" %s := %s; %s = %s; %s: for %s := true; %s; %s = false {",
			list, hiddenList, blanks, list, once, onceVar, onceVar, onceVar)},
		edit{end, end, fmt.Sprintf("}; %s = %s\n", hiddenList, list)})
	// Inside the once-loop, the loop's unlabeled continue ends the
	// iteration's body as it should; its unlabeled break must name the
	// loop, and a continue naming the loop (from a loop inside) names the
	// once-loop, so that the value still carries over.
	brk := label
	needLabel := false
	var walk func(n ast.Node, inLoop, inSwitch bool)
	walk = func(n ast.Node, inLoop, inSwitch bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			if m == n {
				return true
			}
			switch m := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt:
				walk(m, true, inSwitch)
				return false
			case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				walk(m, inLoop, true)
				return false
			case *ast.BranchStmt:
				switch {
				case m.Tok == token.BREAK && m.Label == nil && !inLoop && !inSwitch:
					if brk == "" {
						brk, needLabel = r.fresh("loop"), true
					}
					r.edits = append(r.edits, edit{r.p.off(m.End()), r.p.off(m.End()), " " + brk})
				case m.Tok == token.CONTINUE && m.Label != nil && label != "" && m.Label.Name == label:
					r.edits = append(r.edits, edit{r.p.off(m.Label.Pos()), r.p.off(m.Label.End()), once})
				}
			}
			return true
		})
	}
	walk(body, false, false)
	if needLabel {
		at := r.p.off(loop.Pos())
		r.edits = append(r.edits, edit{at, at, brk + ": "})
	}
}

// captured reports whether a loop body makes a loop variable outlive its
// iteration: a function literal uses it, or its address is taken, also by
// calling a pointer method on it.
func (r *rewriter) captured(v types.Object, body *ast.BlockStmt) bool {
	if v == nil {
		return false
	}
	is := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && r.f.object(r.p.off(id.Pos())) == v
	}
	found := false
	var inLit int
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if found || n == nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			inLit++
			ast.Inspect(n.Body, visit)
			inLit--
			return false
		case *ast.Ident:
			found = inLit > 0 && r.f.object(r.p.off(n.Pos())) == v
		case *ast.UnaryExpr:
			found = n.Op == token.AND && is(n.X)
		case *ast.SelectorExpr:
			if is(n.X) {
				if _, isPtr := v.Type().Underlying().(*types.Pointer); !isPtr {
					obj, _, _ := types.LookupFieldOrMethod(v.Type(), true, v.Pkg(), n.Sel.Name)
					if fn, ok := obj.(*types.Func); ok {
						if recv := fn.Type().(*types.Signature).Recv(); recv != nil {
							_, found = recv.Type().(*types.Pointer)
						}
					}
				}
			}
		}
		return !found
	}
	ast.Inspect(body, visit)
	return found
}

// findLoopVars lists the variables a unit's loops declare.
func (r *rewriter) findLoopVars(file *ast.File) map[types.Object]bool {
	if r.f == nil {
		return nil
	}
	vars := map[types.Object]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		var ids []ast.Expr
		switch n := n.(type) {
		case *ast.ForStmt:
			if init, ok := n.Init.(*ast.AssignStmt); ok && init.Tok == token.DEFINE {
				ids = init.Lhs
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				ids = []ast.Expr{n.Key, n.Value}
			}
		}
		for _, e := range ids {
			if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
				if obj := r.f.defs[r.p.off(id.Pos())]; obj != nil {
					vars[obj] = true
				}
			}
		}
		return true
	})
	return vars
}

// usedLoopVars lists, as parameters and arguments, the loop variables that
// node uses and that are declared outside within (the function literal or
// call being wrapped). ok is false when a type cannot be written in the
// cell.
func (r *rewriter) usedLoopVars(node, within ast.Node) (params, args string, ok bool) {
	var ps, as []string
	seen := map[types.Object]bool{}
	ok = true
	ast.Inspect(node, func(n ast.Node) bool {
		id, isID := n.(*ast.Ident)
		if !isID {
			return true
		}
		obj := r.f.object(r.p.off(id.Pos()))
		if obj == nil || !r.loopVars[obj] || seen[obj] {
			return true
		}
		if at := r.f.defAt[obj]; at >= r.p.off(within.Pos()) && at < r.p.off(within.End()) {
			return true
		}
		seen[obj] = true
		t, known := r.f.typeString(obj.Type())
		ok = ok && known
		ps = append(ps, obj.Name()+" "+t)
		as = append(as, obj.Name())
		return true
	})
	return strings.Join(ps, ", "), strings.Join(as, ", "), ok
}

// eagerDefers makes the defer statements of a function body evaluate their
// function and arguments when the defer statement runs, as Go does: yaegi
// evaluates them when the function returns (DESIGN.md), so `for i := 0; i <
// 3; i++ { defer fmt.Print(i) }` would print 333 instead of 210. The body
// gets a list of deferred calls, run by one compiled defer in Go's order
// (last first, the others still run when one panics):
//
//	var __gompds []func(); defer func() { __gomp.RunDefers(__gompds) }()
//
// and each `defer f(x)` becomes
//
//	__gompds = append(__gompds, func(f F, x X) func() { return func() { f(x) } }(f, x))
//
// A body whose deferred function literal calls recover is left as it is:
// recover works only in a function the defer statement itself calls. So
// are the top-level statements of a cell, whose list would be a global.
func (r *rewriter) eagerDefers(body *ast.BlockStmt) {
	if r.f == nil {
		return
	}
	var defers []*ast.DeferStmt
	recovers := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its defers are its own
		case *ast.DeferStmt:
			defers = append(defers, n)
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok && callsRecover(lit.Body) {
				recovers = true
			}
		}
		return true
	})
	if len(defers) == 0 {
		return
	}
	r.ownFrames(body)
	if recovers {
		return
	}
	var edits []edit
	for _, d := range defers {
		e, ok := r.eagerDefer(d)
		if !ok {
			return // all or none: their order must stay Go's
		}
		edits = append(edits, e...)
	}
	at := r.p.off(body.Lbrace) + 1
	r.edits = append(r.edits, edit{at, at, " var __gompds []func(); defer func() { " + runtimePkg + ".RunDefers(__gompds) }();"})
	r.edits = append(r.edits, edits...)
}

// ownFrames makes each function literal of a body that defers in a
// function of its own, `func() T { return lit }()`. yaegi runs a frame's
// deferred calls holding the frame's lock, and a closure that a frame made
// takes that frame's lock when it returns: `cleanup := func() { ... };
// defer cleanup()` deadlocked (and so did a goroutine made by the frame
// returning while the frame's deferred wg.Wait() waits for it). Made in a
// function of its own, the closure takes that function's lock instead.
// Literals that are a deferred call's function or argument (eagerDefer
// makes them so already), a go statement's (guardGo) and closure
// factories' (closureFactory) are left as they are.
func (r *rewriter) ownFrames(body *ast.BlockStmt) {
	skip := map[*ast.FuncLit]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		var call *ast.CallExpr
		switch n := n.(type) {
		case *ast.DeferStmt:
			call = n.Call
		case *ast.GoStmt:
			call = n.Call
		default:
			return true
		}
		for _, e := range append([]ast.Expr{call.Fun}, call.Args...) {
			if lit, ok := ast.Unparen(e).(*ast.FuncLit); ok {
				skip[lit] = true
			}
		}
		return true
	})
	ast.Inspect(body, func(n ast.Node) bool {
		lit, ok := n.(*ast.FuncLit)
		if !ok {
			return true
		}
		if !skip[lit] && !r.usesLoopVars(lit) {
			typ := r.p.text[r.p.off(lit.Type.Pos()):r.p.off(lit.Type.End())]
			start, end := r.p.off(lit.Pos()), r.p.off(lit.End())
			r.edits = append(r.edits, edit{start, start, "func() " + typ + " { return "}, edit{end, end, " }()"})
		}
		return false // a literal's own literals are made in its frame
	})
}

// eagerDefer writes the edits of one defer statement (see eagerDefers).
// The function and argument expressions stay where they are, as the
// factory's arguments, so that the rewrites inside them apply too; only
// the tokens between them change.
func (r *rewriter) eagerDefer(d *ast.DeferStmt) ([]edit, bool) {
	return r.callNow(d.Pos(), d.Call, "__gompds = append(__gompds, ", ")")
}

// callNow writes the edits that turn the statement at stmt, whose call is
// call (a defer or go statement), into
//
//	before func(f F, x X) func() { return func() { f(x) } }(f, x) after
//
// a function of no arguments that makes the call later with the function
// and arguments evaluated now, as Go evaluates a defer's or a go
// statement's; ok is false when a type cannot be written in the cell.
func (r *rewriter) callNow(stmt token.Pos, call *ast.CallExpr, before, after string) ([]edit, bool) {
	off := r.p.off
	var params, callArgs []string
	var edits []edit
	param := func(t types.Type) (string, bool) {
		ts, ok := r.f.typeString(t)
		if !ok {
			return "", false
		}
		name := fmt.Sprintf("__gompa%d", len(params))
		params = append(params, name+" "+ts)
		return name, true
	}
	lparen := off(call.Lparen)
	// The function: a declared function or builtin is named again inside
	// the factory; anything else (a method value's receiver, a literal, a
	// variable) is evaluated now, as the factory's first argument.
	var callee string
	passed := false // the factory has an argument already
	fun := ast.Unparen(call.Fun)
	named := false
	if id, ok := fun.(*ast.Ident); ok {
		switch r.f.object(off(id.Pos())).(type) {
		case *types.Func, *types.Builtin:
			named = true
		}
	}
	switch f := fun.(type) {
	case *ast.Ident:
		if named {
			break
		}
		name, ok := param(r.typeOf(fun))
		if !ok {
			return nil, false
		}
		callee, passed = name, true
		edits = append(edits, edit{off(call.Fun.End()), lparen + 1, ""})
	case *ast.SelectorExpr:
		if pkg, ok := f.X.(*ast.Ident); ok {
			if _, isPkg := r.f.object(off(pkg.Pos())).(*types.PkgName); isPkg {
				named = true
				break
			}
		}
		t := r.typeOf(f.X)
		if t == nil {
			return nil, false
		}
		// A pointer method of an addressable value (wg.Done on a
		// sync.WaitGroup) is called on the value itself, not a copy.
		ref := false
		if m, ok := r.f.object(off(f.Sel.Pos())).(*types.Func); ok {
			if _, isPtr := t.Underlying().(*types.Pointer); !isPtr {
				if sig, ok := m.Type().(*types.Signature); ok && sig.Recv() != nil {
					if _, ptrRecv := sig.Recv().Type().(*types.Pointer); ptrRecv {
						t, ref = types.NewPointer(t), true
					}
				}
			}
		}
		name, ok := param(t)
		if !ok {
			return nil, false
		}
		callee, passed = name+"."+f.Sel.Name, true
		if ref {
			edits = append(edits, edit{off(f.X.Pos()), off(f.X.Pos()), "&("}, edit{off(f.X.End()), off(f.X.End()), ")"})
		}
		// ".Sel(" goes: the receiver is the factory's first argument.
		edits = append(edits, edit{off(f.X.End()), lparen + 1, ""})
	default:
		name, ok := param(r.typeOf(fun))
		if !ok {
			return nil, false
		}
		callee, passed = name, true
		edits = append(edits, edit{off(call.Fun.End()), lparen + 1, ""})
	}
	if named {
		callee = r.p.text[off(call.Fun.Pos()):off(call.Fun.End())]
		edits = append(edits, edit{off(call.Fun.Pos()), lparen + 1, ""})
	}
	var sig *types.Signature
	if t := r.typeOf(call.Fun); t != nil {
		sig, _ = t.Underlying().(*types.Signature)
	}
	if sig != nil && sig.TypeParams().Len() > 0 {
		return nil, false // a generic function: its instance is not written here
	}
	for i, a := range call.Args {
		t := r.typeOf(a)
		if sig != nil {
			n := sig.Params().Len()
			switch {
			case sig.Variadic() && i >= n-1 && !call.Ellipsis.IsValid():
				t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
			case i < n:
				t = sig.Params().At(i).Type()
			}
		}
		if t == nil {
			return nil, false
		}
		name, ok := param(types.Default(t))
		if !ok {
			return nil, false
		}
		callArgs = append(callArgs, name)
		if i == 0 && passed {
			edits = append(edits, edit{off(a.Pos()), off(a.Pos()), ", "})
		}
	}
	ell := ""
	if call.Ellipsis.IsValid() {
		ell = "..."
		edits = append(edits, edit{off(call.Ellipsis), off(call.Ellipsis) + 3, ""})
	}
	// A function literal handed to the list is made inside a function of
	// its own: yaegi runs deferred calls holding the deferring frame's lock,
	// and a closure defined in that very frame takes the lock again when it
	// returns (a deadlock; yaegi's own `defer cleanup()` has it too).
	for _, e := range append([]ast.Expr{call.Fun}, call.Args...) {
		if lit, ok := ast.Unparen(e).(*ast.FuncLit); ok {
			if r.usesLoopVars(lit) {
				continue // closureFactory makes it in a factory already
			}
			typ := r.p.text[off(lit.Type.Pos()):off(lit.Type.End())]
			edits = append(edits, edit{off(lit.Pos()), off(lit.Pos()), "func() " + typ + " { return "}, edit{off(lit.End()), off(lit.End()), " }()"})
		}
	}
	head := fmt.Sprintf("%sfunc(%s) func() { return func() { %s(%s%s) } }(",
		before, strings.Join(params, ", "), callee, strings.Join(callArgs, ", "), ell)
	edits = append(edits,
		edit{off(stmt), off(call.Pos()), head},
		edit{off(call.Rparen), off(call.Rparen) + 1, ")" + after})
	return edits, true
}

// callsRecover reports whether a function body calls recover itself.
func callsRecover(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "recover" {
				found = true
			}
		}
		return !found
	})
	return found
}

// genericCall replaces a call of a generic function of slices, maps or cmp,
// which yaegi's symbol tables cannot hold, with its reflective stand-in
// (generics.go). Untyped constant arguments get the type the instance
// gives them, and a result the stand-in returns as any is asserted back to
// the checker's type.
func (r *rewriter) genericCall(c *ast.CallExpr) {
	if r.f == nil {
		return
	}
	if ix, ok := c.Fun.(*ast.IndexExpr); ok {
		r.asTypeCall(c, ix)
		return
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	fn, ok := r.f.object(r.p.off(sel.Sel.Pos())).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return
	}
	key := fn.Pkg().Path() + "." + fn.Name()
	stand, ok := genericFuncs[key]
	if !ok {
		return
	}
	sig, _ := r.typeOf(c.Fun).(*types.Signature)
	if sig == nil {
		return
	}
	var edits []edit
	for i, a := range c.Args {
		tv, ok := r.f.tv(r.p.off(a.Pos()), r.p.off(a.End()))
		if !ok || tv.Value == nil || i >= sig.Params().Len() {
			continue
		}
		pt := sig.Params().At(i).Type()
		if sig.Variadic() && i >= sig.Params().Len()-1 {
			continue
		}
		t, ok := r.f.typeString(pt)
		if !ok {
			return
		}
		edits = append(edits, edit{r.p.off(a.Pos()), r.p.off(a.Pos()), t + "("}, edit{r.p.off(a.End()), r.p.off(a.End()), ")"})
	}
	out := reflect.TypeOf(stand)
	switch {
	case out.NumOut() == 1 && out.Out(0).Kind() == reflect.Interface:
		t, ok := r.f.typeString(sig.Results().At(0).Type())
		if !ok {
			return
		}
		edits = append(edits, edit{r.p.off(c.End()), r.p.off(c.End()), ".(" + t + ")"})
	case out.NumOut() > 1 && allInterfaces(out):
		// Several results, each asserted back, in a function literal
		// called at once: func() (A, B) { r0, r1 := f(...); return
		// r0.(A), r1.(B) }().
		var types, names, asserted []string
		for i := range sig.Results().Len() {
			t, ok := r.f.typeString(sig.Results().At(i).Type())
			if !ok {
				return
			}
			n := fmt.Sprintf("__gompr%d", i)
			types, names, asserted = append(types, t), append(names, n), append(asserted, n+".("+t+")")
		}
		edits = append(edits,
			edit{r.p.off(c.Pos()), r.p.off(c.Pos()), fmt.Sprintf("func() (%s) { %s := ", strings.Join(types, ", "), strings.Join(names, ", "))},
			edit{r.p.off(c.End()), r.p.off(c.End()), fmt.Sprintf("; return %s }()", strings.Join(asserted, ", "))})
	}
	edits = append(edits, edit{r.p.off(sel.Pos()), r.p.off(sel.End()), runtimePkg + "." + genericName(key)})
	r.edits = append(r.edits, edits...)
}

// iterType writes an iter.Seq or iter.Seq2 type as the function type it
// stands for: yaegi has no package iter, and the two are defined as
// func(yield func(V) bool) and func(yield func(K, V) bool).
func (r *rewriter) iterType(e ast.Expr) bool {
	tv, ok := r.f.tv(r.p.off(e.Pos()), r.p.off(e.End()))
	if !ok || !tv.IsType() {
		return false
	}
	named, ok := tv.Type.(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "iter" {
		return false
	}
	t, ok := r.f.typeString(named.Underlying())
	if !ok {
		return false
	}
	r.edits = append(r.edits, edit{r.p.off(e.Pos()), r.p.off(e.End()), t})
	return true
}

// rangeFunc rewrites a range over a function (an iterator, Go 1.23) as
// the call Go makes of it, which yaegi can run:
//
//	for k, v := range seq { body }
//
// becomes
//
//	seq(func(k K, v V) bool { body; return true })
//
// with the loop's own break as return false and continue as return true.
// A return from the function around the loop records its results, stops
// the iteration and returns after it (returnsThrough). A body that defers,
// or jumps out with goto or a label, is left as it is (yaegi then reports
// it).
func (r *rewriter) rangeFunc(rs *ast.RangeStmt, sig *types.Signature) {
	if sig.Params().Len() != 1 || sig.Results().Len() != 0 {
		return
	}
	yield, ok := sig.Params().At(0).Type().Underlying().(*types.Signature)
	if !ok || yield.Results().Len() != 1 {
		return
	}
	var branches []*ast.BranchStmt
	var returns []*ast.ReturnStmt
	simple := true
	var walk func(n ast.Node, inLoop, inSwitch bool)
	walk = func(n ast.Node, inLoop, inSwitch bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				returns = append(returns, n)
			case *ast.DeferStmt, *ast.LabeledStmt:
				simple = false
			case *ast.ForStmt:
				walk(n.Body, true, inSwitch)
				return false
			case *ast.RangeStmt:
				walk(n.Body, true, inSwitch)
				return false
			case *ast.SwitchStmt:
				walk(n.Body, inLoop, true)
				return false
			case *ast.TypeSwitchStmt:
				walk(n.Body, inLoop, true)
				return false
			case *ast.SelectStmt:
				walk(n.Body, inLoop, true)
				return false
			case *ast.BranchStmt:
				switch {
				case n.Label != nil || n.Tok == token.GOTO:
					simple = false
				case n.Tok == token.CONTINUE && !inLoop, n.Tok == token.BREAK && !inLoop && !inSwitch:
					branches = append(branches, n)
				}
			}
			return true
		})
	}
	walk(rs.Body, false, false)
	if !simple {
		return
	}
	var ret *funcReturns
	if len(returns) > 0 {
		if ret = r.returnsThrough(rs, returns); ret == nil {
			return
		}
	}
	var params []string
	vars := []ast.Expr{rs.Key, rs.Value}
	for i := range yield.Params().Len() {
		t, ok := r.f.typeString(yield.Params().At(i).Type())
		if !ok {
			return
		}
		name := "_"
		if i < len(vars) {
			if id, ok := vars[i].(*ast.Ident); ok {
				name = id.Name
			}
		}
		params = append(params, name+" "+t)
	}
	// The iterator expression stays in place, so the rewrites inside it
	// (a generic call) apply too.
	open, closing := "(", "; return true })"
	if ret != nil {
		open = "{ " + ret.decls + "("
		closing = fmt.Sprintf("; return true }); if %s { return %s } }", ret.done, strings.Join(ret.results, ", "))
	}
	r.edits = append(r.edits,
		edit{r.p.off(rs.For), r.p.off(rs.X.Pos()), open},
		edit{r.p.off(rs.X.End()), r.p.off(rs.Body.Lbrace) + 1, fmt.Sprintf(")(func(%s) bool {", strings.Join(params, ", "))})
	for _, b := range branches {
		text := "return true"
		if b.Tok == token.BREAK {
			text = "return false"
		}
		r.edits = append(r.edits, edit{r.p.off(b.Pos()), r.p.off(b.End()), text})
	}
	for _, rt := range returns {
		text := fmt.Sprintf("{ %s = true; return false }", ret.done)
		if len(rt.Results) > 0 {
			values := r.p.text[r.p.off(rt.Results[0].Pos()):r.p.off(rt.Results[len(rt.Results)-1].End())]
			text = fmt.Sprintf("{ %s = %s; %s = true; return false }", strings.Join(ret.results, ", "), values, ret.done)
		}
		r.edits = append(r.edits, edit{r.p.off(rt.Pos()), r.p.off(rt.End()), text})
	}
	end := r.p.off(rs.Body.Rbrace)
	r.edits = append(r.edits, edit{end, end + 1, closing})
}

// funcReturns is how a range over a function returns from the function
// around it: its body, now a yield function, records the results and that
// it returned, stops the iteration, and the function returns after the
// iterator does.
type funcReturns struct {
	decls   string   // declares done and the unnamed results' holders
	done    string   // set when the body returned
	results []string // the results: named ones, or their holders
}

// returnsThrough plans the returns of a range-over-function body for
// rangeFunc, from the function the loop is in; nil when they cannot be
// rewritten: the loop is inside another range over a function (whose
// yield function the return would leave instead), or a result's type is
// not the cell's to write.
func (r *rewriter) returnsThrough(rs *ast.RangeStmt, returns []*ast.ReturnStmt) *funcReturns {
	var fn *ast.FuncType
	nested := false
	var stack []ast.Node
	ast.Inspect(r.p.file, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if n == rs {
			for i := len(stack) - 1; i >= 0 && fn == nil; i-- {
				switch s := stack[i].(type) {
				case *ast.FuncDecl:
					fn = s.Type
				case *ast.FuncLit:
					fn = s.Type
				case *ast.RangeStmt:
					if t := r.typeOf(s.X); t != nil {
						if _, isFunc := t.Underlying().(*types.Signature); isFunc {
							nested = true
						}
					}
				}
			}
			return false
		}
		stack = append(stack, n)
		return true
	})
	if fn == nil || nested {
		return nil
	}
	ret := &funcReturns{done: r.fresh("returned")}
	ret.decls = "var " + ret.done + " bool; "
	if fn.Results != nil {
		named := len(fn.Results.List) > 0 && len(fn.Results.List[0].Names) > 0
		for _, field := range fn.Results.List {
			typ := r.p.text[r.p.off(field.Type.Pos()):r.p.off(field.Type.End())]
			if named {
				for _, id := range field.Names {
					if id.Name == "_" {
						return nil
					}
					ret.results = append(ret.results, id.Name)
				}
				continue
			}
			holder := r.fresh("result")
			ret.decls += fmt.Sprintf("var %s %s; ", holder, typ)
			ret.results = append(ret.results, holder)
		}
	}
	for _, rt := range returns {
		if len(rt.Results) == 0 && len(ret.results) > 0 && !(len(fn.Results.List[0].Names) > 0) {
			return nil
		}
	}
	return ret
}

// genericProbe marks the probe report of a generic function.
const genericProbe = "generic "

// targetPrefix names a plain function's target wrapper (see probeFunc).
const targetPrefix = "__gompT_"

// targetWrapper writes the target wrapper of a plain function, on one line:
// func __gompT_f(p0 int, p1 ...string) bool { if __gompProbe { ... }; return f(p0, p1...) }
func (r *rewriter) targetWrapper(fd *ast.FuncDecl) (string, bool) {
	if r.f == nil {
		return "", false
	}
	fn, ok := r.f.defs[r.p.off(fd.Name.Pos())].(*types.Func)
	if !ok {
		return "", false
	}
	sig := fn.Type().(*types.Signature)
	var params, args []string
	for i := range sig.Params().Len() {
		t := sig.Params().At(i).Type()
		name := fmt.Sprintf("p%d", i)
		arg := name
		if sig.Variadic() && i == sig.Params().Len()-1 {
			elem, ok := r.f.typeString(t.(*types.Slice).Elem())
			if !ok {
				return "", false
			}
			params = append(params, name+" ..."+elem)
			args = append(args, arg+"...")
			continue
		}
		ts, ok := r.f.typeString(t)
		if !ok {
			return "", false
		}
		params = append(params, name+" "+ts)
		args = append(args, arg)
	}
	// Named results, so that the probe's hit can return at once.
	var results []string
	for i := range sig.Results().Len() {
		ts, ok := r.f.typeString(sig.Results().At(i).Type())
		if !ok {
			return "", false
		}
		results = append(results, fmt.Sprintf("r%d %s", i, ts))
	}
	res, ret := "", ""
	if len(results) > 0 {
		res, ret = " ("+strings.Join(results, ", ")+")", "return "
	}
	name := fd.Name.Name
	return fmt.Sprintf("func %s%s(%s)%s { if %s { if %s.Found(%q) { return } }; %s%s(%s) }",
		targetPrefix, name, strings.Join(params, ", "), res, probeFlag, runtimePkg, name, ret, name, strings.Join(args, ", ")), true
}

// targetUses rewrites every use of a plain top-level function of the
// notebook as a value (not called) to its target wrapper, so that mp can
// tell which function it is (see probeFunc). The wrapper exists whenever
// the checker could write the function's signature; when it could not, the
// function has its check in its body and the value is left as it is.
func (r *rewriter) targetUses(file *ast.File) {
	if r.f == nil {
		return
	}
	called := map[*ast.Ident]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok {
				called[id] = true
			}
		}
		return true
	})
	ast.Inspect(file, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || called[id] || id.Name == "main" || id.Name == "init" {
			return true
		}
		fn, ok := r.f.uses[r.p.off(id.Pos())].(*types.Func)
		if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "main" || fn.Parent() != fn.Pkg().Scope() {
			return true
		}
		sig := fn.Type().(*types.Signature)
		if sig.Recv() != nil || sig.TypeParams().Len() > 0 || !(r.wrapped[fn.Name()] || r.f.wrappedInLog[fn.Name()]) {
			return true
		}
		r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), targetPrefix + id.Name})
		return true
	})
}

// renameInit gives a cell's func init a name of its own: yaegi runs an init
// as soon as it is compiled, before the package variables the cell declares
// are initialised, and a cell may have several. The cell then calls them,
// in order, after its statements and before its main, as Go runs a
// program's inits after its package variables.
func (r *rewriter) renameInit(fd *ast.FuncDecl) {
	if r.f == nil || fd.Recv != nil || fd.Name.Name != "init" || fd.Body == nil {
		return
	}
	name := fmt.Sprintf("%s%d", r.f.initPrefix, len(r.f.inits))
	r.f.inits = append(r.f.inits, name)
	r.edits = append(r.edits, edit{r.p.off(fd.Name.Pos()), r.p.off(fd.Name.End()), name})
}

// usesLoopVars reports whether closureFactory makes lit in a factory.
func (r *rewriter) usesLoopVars(lit *ast.FuncLit) bool {
	params, _, ok := r.usedLoopVars(lit.Body, lit)
	return ok && params != ""
}

// copiesLoopVars reports whether perIterationVars gives a loop's variables
// copies in its body.
func (r *rewriter) copiesLoopVars(st ast.Stmt) bool {
	vars, body, _ := r.loopCopies(st)
	return len(r.copiedVars(vars, body)) > 0
}

// asTypeCall rewrites errors.AsType[E](err), whose type argument is all
// its stand-in has to go by, as
//
//	func() (E, bool) { v, ok := __gomp.GenericErrorsAsType(err, (*E)(nil)); if !ok { return *new(E), false }; return v.(E), true }()
func (r *rewriter) asTypeCall(c *ast.CallExpr, ix *ast.IndexExpr) {
	sel, ok := ix.X.(*ast.SelectorExpr)
	if !ok || len(c.Args) != 1 {
		return
	}
	fn, ok := r.f.object(r.p.off(sel.Sel.Pos())).(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path()+"."+fn.Name() != "errors.AsType" {
		return
	}
	tv, ok := r.f.tv(r.p.off(ix.Index.Pos()), r.p.off(ix.Index.End()))
	if !ok || !tv.IsType() {
		return
	}
	e, ok := r.f.typeString(tv.Type)
	if !ok {
		return
	}
	start, end := r.p.off(c.Pos()), r.p.off(c.End())
	arg := r.p.off(c.Args[0].Pos())
	r.edits = append(r.edits,
		edit{start, arg, fmt.Sprintf("func() (%s, bool) { __gompv, __gompok := %s.%s(", e, runtimePkg, genericName("errors.AsType"))},
		edit{r.p.off(c.Rparen), end, fmt.Sprintf(", (*%s)(nil)); if !__gompok { return *new(%s), false }; return __gompv.(%s), true }()", e, e, e)})
}

// methodExpr writes a method expression, T.M or (*T).M, as the function
// literal it denotes, func(recv T, args...) R { return recv.M(args...) }:
// yaegi passes the receiver of a method expression as an extra argument
// ("reflect: Call with too many input arguments") or gives no value.
func (r *rewriter) methodExpr(sel *ast.SelectorExpr) bool {
	if r.f == nil {
		return false
	}
	recv, ok := r.f.tv(r.p.off(sel.X.Pos()), r.p.off(sel.X.End()))
	if !ok || !recv.IsType() {
		return false
	}
	if _, isMethod := r.f.object(r.p.off(sel.Sel.Pos())).(*types.Func); !isMethod {
		return false
	}
	sig, ok := r.typeOf(sel).(*types.Signature)
	if !ok || sig.Params().Len() == 0 {
		return false
	}
	var params, args []string
	for i := range sig.Params().Len() {
		t := sig.Params().At(i).Type()
		if sig.Variadic() && i == sig.Params().Len()-1 {
			t = t.(*types.Slice).Elem()
		}
		ts, ok := r.f.typeString(t)
		if !ok {
			return false
		}
		name := fmt.Sprintf("__gompm%d", i)
		if sig.Variadic() && i == sig.Params().Len()-1 {
			params = append(params, name+" ..."+ts)
			args = append(args, name+"...")
		} else {
			params = append(params, name+" "+ts)
			args = append(args, name)
		}
	}
	var results []string
	for i := range sig.Results().Len() {
		ts, ok := r.f.typeString(sig.Results().At(i).Type())
		if !ok {
			return false
		}
		results = append(results, ts)
	}
	call := fmt.Sprintf("%s.%s(%s)", args[0], sel.Sel.Name, strings.Join(args[1:], ", "))
	body := call
	if len(results) > 0 {
		body = "return " + call
	}
	res := strings.Join(results, ", ")
	if len(results) > 1 {
		res = "(" + res + ")"
	}
	r.edits = append(r.edits, edit{r.p.off(sel.Pos()), r.p.off(sel.End()),
		fmt.Sprintf("(func(%s) %s { %s })", strings.Join(params, ", "), res, body)})
	return true
}

// hideUnexported tags the unexported fields of a struct type json:"-".
// yaegi makes a struct's fields exported for reflect (private becomes
// Xprivate), so encoding/json marshalled them ("Xprivate":0) where Go
// leaves them out. An embedded field keeps no tag: json promotes the
// exported fields of an embedded unexported struct, as Go does.
func (r *rewriter) hideUnexported(st *ast.StructType) {
	for _, field := range st.Fields.List {
		exported := len(field.Names) == 0
		for _, id := range field.Names {
			exported = exported || ast.IsExported(id.Name)
		}
		if exported {
			continue
		}
		if field.Tag == nil {
			end := r.p.off(field.Type.End())
			r.edits = append(r.edits, edit{end, end, " `json:\"-\"`"})
			continue
		}
		tag, err := strconv.Unquote(field.Tag.Value)
		if err != nil || reflect.StructTag(tag).Get("json") != "" || strings.Contains(tag, "`") {
			continue
		}
		r.edits = append(r.edits, edit{r.p.off(field.Tag.Pos()), r.p.off(field.Tag.End()),
			"`" + strings.TrimSpace(tag+` json:"-"`) + "`"})
	}
}

// interfaceAssertion takes the value of an assertion to one of the
// notebook's interface types (or an interface literal) from a type switch:
// yaegi's assertion tells rightly whether the value implements the
// interface, but then panics making the value ("reflect.Set: value of type
// interface {} is not assignable to type interp.valueInterface"), and its
// type switch makes the value but also matches types without the methods.
// So
//
//	n, ok := v.(Named)
//
// becomes
//
//	n, ok := func(__gompv any) (Named, bool) { if _, ok := __gompv.(Named); ok { switch x := __gompv.(type) { case Named: return x, true } }; var z Named; return z, false }(v)
//
// and a single-valued v.(Named) returns x the same way, or fails as the
// assertion itself does, with its message.
func (r *rewriter) interfaceAssertion(ta *ast.TypeAssertExpr) {
	if r.f == nil || ta.Type == nil {
		return
	}
	target, ok := r.f.tv(r.p.off(ta.Type.Pos()), r.p.off(ta.Type.End()))
	if !ok || !target.IsType() {
		return
	}
	iface, isIface := target.Type.Underlying().(*types.Interface)
	if !isIface || iface.NumMethods() == 0 {
		return
	}
	switch t := types.Unalias(target.Type).(type) {
	case *types.Named:
		if t.Obj().Pkg() == nil || t.Obj().Pkg().Path() != "main" {
			return // a compiled interface: yaegi's assertion is right
		}
	case *types.Interface:
	default:
		return
	}
	src, ok := r.f.typeString(r.typeOf(ta.X))
	if !ok {
		return
	}
	typ := r.p.text[r.p.off(ta.Type.Pos()):r.p.off(ta.Type.End())]
	start, xStart, xEnd, end := r.p.off(ta.Pos()), r.p.off(ta.X.Pos()), r.p.off(ta.X.End()), r.p.off(ta.End())
	_, commaOk := r.typeOf(ta).(*types.Tuple)
	var head string
	// Whether it holds is the assertion's to say (yaegi's type switch
	// also matched types without the methods); the value is the switch's.
	value := fmt.Sprintf("if _, ok := __gompv.(%s); ok { switch x := __gompv.(type) { case %s: return x", typ, typ)
	if commaOk {
		head = fmt.Sprintf("func(__gompv %s) (%s, bool) { %s, true } }; var z %s; return z, false }(", src, typ, value, typ)
	} else {
		head = fmt.Sprintf("func(__gompv %s) %s { %s } }; return __gompv.(%s) }(", src, typ, value, typ)
	}
	r.edits = append(r.edits, edit{start, xStart, head}, edit{xEnd, end, ")"})
}

// allInterfaces reports whether every result of a stand-in's function type
// is an interface, to be asserted back.
func allInterfaces(fn reflect.Type) bool {
	for i := range fn.NumOut() {
		if fn.Out(i).Kind() != reflect.Interface {
			return false
		}
	}
	return true
}

// breakFromSelect writes a `break L` from inside a select as a goto to a
// label right after the statement L labels: yaegi hangs on a labeled break
// out of a select (the usual way out of `for { select { ... } }`), though
// not on a goto, nor on a labeled break out of a switch.
func (r *rewriter) breakFromSelect(ls *ast.LabeledStmt) {
	var breaks []*ast.BranchStmt
	var walk func(n ast.Node, inSelect bool)
	walk = func(n ast.Node, inSelect bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.SelectStmt:
				if !inSelect {
					walk(m.Body, true)
					return false
				}
			case *ast.BranchStmt:
				if inSelect && m.Tok == token.BREAK && m.Label != nil && m.Label.Name == ls.Label.Name {
					breaks = append(breaks, m)
				}
			}
			return true
		})
	}
	walk(ls.Stmt, false)
	if len(breaks) == 0 {
		return
	}
	out := r.fresh("break")
	for _, b := range breaks {
		r.edits = append(r.edits, edit{r.p.off(b.Pos()), r.p.off(b.End()), "goto " + out})
	}
	end := r.p.off(ls.End())
	r.edits = append(r.edits, edit{end, end, "; " + out + ": ;"})
}
