package eval

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
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
	g     *guesser // tells integers (and other kinds) from syntax
}

func (r *rewriter) fresh(base string) string {
	r.seq++
	return fmt.Sprintf("__gomp%s%d", base, r.seq)
}

// rewriteUnit applies the transformations to a parsed unit and returns the
// new text.
func rewriteUnit(p *parsedUnit, g *guesser) string {
	return applyEdits(p.text, unitEdits(p, g))
}

// unitEdits returns the edits of every transformation of a unit.
func unitEdits(p *parsedUnit, g *guesser) []edit {
	r := &rewriter{p: p, g: g}
	ast.Inspect(p.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			r.guardGo(n)
		case *ast.RangeStmt:
			r.rangeLoop(n)
		case *ast.ForStmt:
			r.forLoop(n)
		case *ast.CallExpr:
			r.builtinCall(n)
		case *ast.FuncDecl:
			r.probeFunc(n)
			if n.Body != nil {
				r.nameParams(n.Type)
			}
		case *ast.FuncLit:
			r.probeBody(n.Body, `""`, "nil")
			r.nameParams(n.Type)
		}
		return true
	})
	for _, st := range p.body {
		r.isolateBlock(st)
	}
	r.renameMain()
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
	if !multi || unsafe {
		return
	}
	start, end := r.p.off(st.Pos()), r.p.off(st.End())
	r.edits = append(r.edits, edit{start, start, "func() { "}, edit{end, end, " }();"})
}

// probeFunc adds to a top-level function or method the check that lets mp
// tell which declaration a function value is (DESIGN.md: yaegi hands
// compiled code a fresh wrapper for every function value, with no name).
// When mp probes a value, the function's first statement reports its name
// (and, for a method value, its receiver) instead of running. Function
// literals report an empty name: a closure cannot run in another process.
// Generic functions cannot be targets and get no check.
func (r *rewriter) probeFunc(fd *ast.FuncDecl) {
	if fd.Body == nil || fd.Type.TypeParams != nil || fd.Name.Name == "init" || fd.Name.Name == "_" {
		return
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		name := fd.Name.Name
		if name == "main" {
			name = mainAlias // renameMain renames it
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
	r.edits = append(r.edits, edit{at, at, " if " + runtimePkg + ".Probing() { " + runtimePkg + ".Identify(" + name + ", " + recv + ") };"})
}

// guardGo wraps the call of a go statement in a function literal whose
// deferred recover reports the goroutine's panic (and os.Exit) in the
// notebook: in yaegi such a panic would kill the kernel process.
// `go f(x)` becomes
// `go func(__gompg int64) { defer func() { __gomp.GoEnd(__gompg, recover()) }(); f(x) }(__gomp.GoStart())`.
// GoStart is an argument, so it runs in the goroutine that executes the go
// statement and counts the new goroutine for the cell that started it.
// yaegi starts a goroutine on a copy of the caller's frame, so f and x,
// evaluated in the new goroutine, have the values they had at the go
// statement (globals excepted: they are shared).
func (r *rewriter) guardGo(g *ast.GoStmt) {
	call := g.Call
	start, end := r.p.off(call.Pos()), r.p.off(call.End())
	r.edits = append(r.edits,
		edit{start, start, "func(__gompg int64) { defer func() { " + runtimePkg + ".GoEnd(__gompg, recover()) }(); "},
		edit{end, end, " }(" + runtimePkg + ".GoStart())"},
	)
}

// rangeLoop gives `for k, v := range x` Go 1.22 per-iteration variables, and
// turns range over an integer (which makes yaegi's compiler panic) into a
// counting loop.
func (r *rewriter) rangeLoop(rs *ast.RangeStmt) {
	if rs.Tok == token.DEFINE || (rs.Key == nil && rs.Value == nil) {
		if isIntegerKind(r.g.kind(rs.X)) {
			r.rangeInt(rs)
			return
		}
	}
	if rs.Tok != token.DEFINE || !capturesVars(rs.Body) {
		return
	}
	var names, hidden []string
	for _, e := range []ast.Expr{rs.Key, rs.Value} {
		id, ok := e.(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		h := r.fresh(id.Name)
		names, hidden = append(names, id.Name), append(hidden, h)
		r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), h})
	}
	r.copyIn(rs.Body, names, hidden)
}

// rangeInt rewrites `for i := range n { ... }` as
// `for __i, __n := n-n, n; __i < __n; __i++ { i := __i; ... }`: n-n gives
// the counter n's type, and the body's copy gives i its per-iteration life.
func (r *rewriter) rangeInt(rs *ast.RangeStmt) {
	x := r.p.text[r.p.off(rs.X.Pos()):r.p.off(rs.X.End())]
	counter, limit := r.fresh("i"), r.fresh("n")
	header := fmt.Sprintf("for %s, %s := (%s)-(%s), (%s); %s < %s; %s++ ", counter, limit, x, x, x, counter, limit, counter)
	r.edits = append(r.edits, edit{r.p.off(rs.For), r.p.off(rs.Body.Lbrace), header})
	if id, ok := rs.Key.(*ast.Ident); ok && id.Name != "_" {
		r.copyIn(rs.Body, []string{id.Name}, []string{counter})
	}
}

// forLoop gives a three-clause loop's variables per-iteration life when the
// body can capture them (a closure or go statement) and does not assign them
// (then the copy would change the loop's meaning, so it is left as it was).
func (r *rewriter) forLoop(fs *ast.ForStmt) {
	init, ok := fs.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || !capturesVars(fs.Body) {
		return
	}
	var names, hidden []string
	renames := map[string]string{}
	for _, e := range init.Lhs {
		id, ok := e.(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		if assigns(fs.Body, id.Name) {
			return
		}
		h := r.fresh(id.Name)
		renames[id.Name] = h
		names, hidden = append(names, id.Name), append(hidden, h)
	}
	if len(names) == 0 {
		return
	}
	// Rename the variable in the loop's header only: the body reads the copy.
	for _, part := range []ast.Node{fs.Init, fs.Cond, fs.Post} {
		if part == nil {
			continue
		}
		ast.Inspect(part, func(n ast.Node) bool {
			if _, isLit := n.(*ast.FuncLit); isLit {
				return false
			}
			if id, ok := n.(*ast.Ident); ok {
				if h, ok := renames[id.Name]; ok {
					r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), h})
				}
			}
			return true
		})
	}
	r.copyIn(fs.Body, names, hidden)
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

// builtinCall replaces calls of the Go 1.21 builtins yaegi lacks. clear
// becomes a reflective helper (maps and slices are references, so clearing
// through reflection is exact); min and max become typed helpers when the
// arguments' kind can be told (ints, floats or strings), and are left for
// yaegi to reject otherwise.
func (r *rewriter) builtinCall(c *ast.CallExpr) {
	id, ok := c.Fun.(*ast.Ident)
	if !ok || r.g.shadowed(id.Name) {
		return
	}
	replace := func(with string) {
		r.edits = append(r.edits, edit{r.p.off(id.Pos()), r.p.off(id.End()), runtimePkg + "." + with})
	}
	switch id.Name {
	case "panic":
		if len(c.Args) == 1 {
			at := r.p.off(c.Args[0].Pos())
			line := r.p.fset.Position(c.Pos()).Line
			r.edits = append(r.edits,
				edit{at, at, fmt.Sprintf("%s.At(%d, ", runtimePkg, line)},
				edit{r.p.off(c.Args[0].End()), r.p.off(c.Args[0].End()), ")"})
		}
	case "clear":
		if len(c.Args) == 1 {
			replace("Clear")
		}
	case "min", "max":
		if len(c.Args) == 0 {
			return
		}
		kind := "int"
		for _, a := range c.Args {
			switch k := r.g.kind(a); {
			case k == "string":
				kind = "string"
			case k == "float64" && kind == "int":
				kind = "float64"
			case k == "" && !r.g.untypedInt(a):
				return // unknown: yaegi will say min is undefined
			}
		}
		name := strings.ToUpper(id.Name[:1]) + id.Name[1:]
		switch kind {
		case "int":
			replace(name + "Int")
		case "float64":
			replace(name + "Float64")
		case "string":
			replace(name + "String")
		}
	}
}

// capturesVars reports whether a loop body contains something that can
// outlive an iteration and refer to its variables: a function literal or a
// go or defer statement.
func capturesVars(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			found = true
		}
		return !found
	})
	return found
}

// assigns reports whether body assigns to, or increments, the variable name.
func assigns(body *ast.BlockStmt, name string) bool {
	found := false
	isName := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && id.Name == name
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					found = found || isName(l)
				}
			}
		case *ast.IncDecStmt:
			found = found || isName(n.X)
		case *ast.UnaryExpr:
			found = found || (n.Op == token.AND && isName(n.X))
		}
		return !found
	})
	return found
}

// isIntegerKind reports whether kind names an integer type.
func isIntegerKind(kind string) bool {
	return strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint")
}
