package eval

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"
)

// The compiled tier's front half: which of a cell's functions may run as
// compiled Go, decided from the checker's facts, and the source they are
// compiled from. A function qualifies when running it compiled cannot be
// told from running it interpreted, but by its speed: it touches nothing
// but its arguments, its locals, constants, the side-effect-free packages
// of nativePackages and other such functions. Then a panic in its compiled
// copy can be answered by calling the interpreted copy with the same
// arguments (nothing was done that running it again would repeat), which
// panics as the interpreter does, with its traceback.

// nativePackages are the packages a compiled function may call: pure and
// deterministic (no I/O, clock, randomness or goroutines). fmt is not among
// them: it prints the notebook's types differently from the interpreter.
var nativePackages = map[string]bool{
	"math": true, "math/bits": true, "math/cmplx": true,
	"strings": true, "strconv": true, "bytes": true,
	"unicode": true, "unicode/utf8": true, "unicode/utf16": true,
	"sort": true, "slices": true, "maps": true, "cmp": true, "errors": true,
}

// nativeBuiltins are the builtins a compiled function may use (not print,
// println, which write, nor close, which needs a channel).
var nativeBuiltins = map[string]bool{
	"append": true, "cap": true, "clear": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true,
	"min": true, "new": true, "panic": true, "real": true, "recover": true,
}

// nativeDef is one function's compiled form.
type nativeDef struct {
	name    string
	slot    int           // 0: compiled only into its callers' plugins
	worth   bool          // it loops or calls: compiled, it saves more than a call to it costs
	src     string        // the function as the user wrote it, with stop checks
	params  []nativeParam // names and types, in order
	results []string      // result types
	callees []string      // the notebook's functions it calls
	consts  []string      // the notebook's constants it uses
	imports []importSpec  // the packages it uses, as its cell names them
}

type nativeParam struct{ name, typ string }

// nativeReadyPrefix names the interpreted variable of a slot's channel;
// nativeCallPrefix the interpreted function that calls the compiled copy
// (kept out of the eligible function: yaegi allocates the frame slots of
// every expression of a function at each call, also of a branch not taken,
// which made the prologue cost fib 48% instead of 17%).
const (
	nativeReadyPrefix = "__gompN"
	nativeCallPrefix  = "__gompC"
)

func paramTypes(d *nativeDef) []string {
	var t []string
	for _, p := range d.params {
		t = append(t, p.typ)
	}
	return t
}

// sigType writes the function's type: func(int, string) (bool, error).
func (d *nativeDef) sigType() string {
	s := "func(" + strings.Join(paramTypes(d), ", ") + ")"
	switch len(d.results) {
	case 0:
	case 1:
		s += " " + d.results[0]
	default:
		s += " (" + strings.Join(d.results, ", ") + ")"
	}
	return s
}

func (d *nativeDef) args() string {
	var a []string
	for _, p := range d.params {
		a = append(a, p.name)
	}
	return strings.Join(a, ", ")
}

// nativeCell is what the rewriter learns about a cell for the tier.
type nativeCell struct {
	tier     *nativeTier
	defs     map[string]*nativeDef // eligible functions the cell declares
	declared []string              // every function and constant the cell declares ("func f", "const c")
	consts   map[string]string     // the cell's constants the tier can write down: name → declaration
	analysed map[*parsedUnit]bool
}

// nativeAnalyse decides, once per unit, which of its functions are eligible.
// A function calling another of the unit's is eligible when the callee is,
// which the fixpoint finds.
func (r *rewriter) nativeAnalyse() {
	nc := r.nativeCell()
	if nc == nil || nc.analysed[r.p] {
		return
	}
	nc.analysed[r.p] = true
	var funcs []*ast.FuncDecl
	for _, d := range r.p.file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name != "__gompcell" {
				nc.declared = append(nc.declared, "func "+d.Name.Name)
				funcs = append(funcs, d)
			}
		case *ast.GenDecl:
			if d.Tok != token.CONST {
				continue
			}
			for _, sp := range d.Specs {
				for _, id := range sp.(*ast.ValueSpec).Names {
					nc.declared = append(nc.declared, "const "+id.Name)
					if c, ok := r.f.defs[r.p.off(id.Pos())].(*types.Const); ok {
						if decl, ok := nativeConst(c); ok {
							nc.consts[c.Name()] = decl
						}
					}
				}
			}
		}
	}
	candidates := map[string]*nativeDef{}
	for _, fd := range funcs {
		if d := r.nativeCandidate(fd); d != nil {
			candidates[fd.Name.Name] = d
		}
	}
	known := func(name string) bool {
		if _, ok := candidates[name]; ok {
			return true
		}
		for _, k := range nc.declared {
			if k == "func "+name {
				return false // redeclared here, not eligible
			}
		}
		return nc.tier.current(name)
	}
	for changed := true; changed; {
		changed = false
		for name, d := range candidates {
			for _, c := range d.callees {
				if !known(c) {
					delete(candidates, name)
					changed = true
					break
				}
			}
		}
	}
	for name, d := range candidates {
		if d.worth {
			d.slot = nc.tier.slotFor(name, d.src) // 0 when none is left
		}
		nc.defs[name] = d
	}
}

func (r *rewriter) nativeCell() *nativeCell {
	if r.f == nil || r.f.native == nil || r.f.native.tier == nil {
		return nil
	}
	return r.f.native
}

// nativePrologue puts, at the top of an eligible function, the switch to its
// compiled copy: `if len(__gompN7) != 0 { return
// __gomp.Native(7).(func(int) bool)(n) }`, and after it the variable that
// holds its slot's channel, `var __gompN7 = __gomp.NativeReady(7)` (part of
// the function's entry in the declaration log, like its target wrapper).
// While no copy is loaded the interpreter pays for the length of a channel
// in an interpreted variable (no call into compiled code, no local
// variable: both cost yaegi an allocation per call). The channel holds a
// token while the copy is loaded, which the builder puts there: a channel's
// length is safe to read from any goroutine, the variable is written once,
// before the function can run, and Native's atomic load orders the copy's
// loading before its use.
func (r *rewriter) nativePrologue(fd *ast.FuncDecl) {
	nc := r.nativeCell()
	if nc == nil || fd.Recv != nil || fd.Body == nil {
		return
	}
	d := nc.defs[fd.Name.Name]
	if d == nil || d.slot == 0 {
		return
	}
	ready := fmt.Sprintf("%s%d", nativeReadyPrefix, d.slot)
	caller := fmt.Sprintf("%s%d", nativeCallPrefix, d.slot)
	ret := "return "
	if len(d.results) == 0 {
		ret = ""
	}
	var params []string
	for _, p := range d.params {
		params = append(params, p.name+" "+p.typ)
	}
	res := strings.TrimPrefix(d.sigType(), "func("+strings.Join(paramTypes(d), ", ")+")")
	at := r.p.off(fd.Body.Lbrace) + 1
	prologue := fmt.Sprintf(" if len(%s) != 0 { %s%s(%s); return };", ready, ret, caller, d.args())
	if ret != "" {
		prologue = fmt.Sprintf(" if len(%s) != 0 { return %s(%s) };", ready, caller, d.args())
	}
	r.edits = append(r.edits, edit{at, at, prologue})
	end := r.p.off(fd.End())
	r.edits = append(r.edits, edit{end, end, fmt.Sprintf("; var %s = %s.NativeReady(%d); func %s(%s)%s { %s%s.Native(%d).(%s)(%s) }",
		ready, runtimePkg, d.slot, caller, strings.Join(params, ", "), res, ret, runtimePkg, d.slot, d.sigType(), d.args())})
}

// nativeCandidate checks one function on its own: its signature and what
// its body uses. Callees are checked by nativeAnalyse.
func (r *rewriter) nativeCandidate(fd *ast.FuncDecl) *nativeDef {
	name := fd.Name.Name
	if fd.Body == nil || fd.Type.TypeParams != nil || name == "main" || name == "init" || name == "_" || strings.HasPrefix(name, "__gomp") {
		return nil
	}
	fn, ok := r.f.defs[r.p.off(fd.Name.Pos())].(*types.Func)
	if !ok {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	if sig.Variadic() {
		return nil
	}
	d := &nativeDef{name: name}
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		t, ok := nativeValueType(v.Type(), false)
		if !ok || v.Name() == "" || v.Name() == "_" {
			return nil
		}
		d.params = append(d.params, nativeParam{v.Name(), t})
	}
	for i := range sig.Results().Len() {
		t, ok := nativeValueType(sig.Results().At(i).Type(), true)
		if !ok {
			return nil
		}
		d.results = append(d.results, t)
	}
	pkg := fn.Pkg()
	ok = true
	callees, consts := map[string]bool{}, map[string]bool{}
	imports := map[importSpec]bool{}
	var stops []edit
	base := r.p.off(fd.Pos())
	stopCheck := func(lbrace token.Pos) {
		at := r.p.off(lbrace) + 1 - base
		stops = append(stops, edit{at, at, " if __gompStop.Load() { __gompOnStop() };"})
	}
	stopCheck(fd.Body.Lbrace)
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case *ast.GoStmt, *ast.SelectStmt, *ast.SendStmt, *ast.ChanType, *ast.LabeledStmt:
			ok = false
		case *ast.BranchStmt:
			ok = n.Tok != token.GOTO
		case *ast.UnaryExpr:
			ok = n.Op != token.ARROW
		case *ast.ForStmt:
			stopCheck(n.Body.Lbrace)
			d.worth = true
		case *ast.RangeStmt:
			stopCheck(n.Body.Lbrace)
			d.worth = true
		case *ast.FuncLit:
			stopCheck(n.Body.Lbrace)
		case *ast.SelectorExpr:
			id, isIdent := n.X.(*ast.Ident)
			if !isIdent {
				return true
			}
			pn, isPkg := r.f.uses[r.p.off(id.Pos())].(*types.PkgName)
			if !isPkg {
				return true
			}
			path := pn.Imported().Path()
			if !nativePackages[path] {
				ok = false
				return false
			}
			switch r.f.uses[r.p.off(n.Sel.Pos())].(type) {
			case *types.Func, *types.Const, *types.TypeName:
			default:
				ok = false // a package variable: state the function would share
			}
			imports[importSpec{name: pn.Name(), path: path}] = true
			return false
		case *ast.Ident:
			switch obj := r.f.uses[r.p.off(n.Pos())].(type) {
			case *types.Builtin:
				ok = nativeBuiltins[obj.Name()]
			case *types.Func:
				if obj.Type().(*types.Signature).Recv() != nil {
					break // a method, of a value the function made
				}
				if obj.Pkg() == pkg && obj.Parent() == pkg.Scope() {
					if obj.Type().(*types.Signature).TypeParams().Len() > 0 {
						ok = false
					}
					callees[obj.Name()] = true
				} else if obj.Pkg() != nil && obj.Pkg() != pkg {
					ok = false // dot-imported
				}
			case *types.Const:
				if obj.Pkg() == pkg && obj.Parent() == pkg.Scope() {
					consts[obj.Name()] = true
				} else if obj.Pkg() != nil && obj.Pkg() != pkg {
					ok = false
				}
			case *types.Var:
				if obj.IsField() {
					break
				}
				if obj.Pkg() != pkg || obj.Parent() == pkg.Scope() {
					ok = false // a global, or a dot-imported variable
				}
			case *types.TypeName:
				if obj.Pkg() != nil && (obj.Pkg() != pkg || obj.Parent() == pkg.Scope()) {
					ok = false // the notebook's types are the interpreter's
				}
			case *types.PkgName:
				ok = false // used other than in a selector
			}
		}
		return ok
	})
	if !ok {
		return nil
	}
	d.src = applyEdits(r.p.text[base:r.p.off(fd.End())], stops)
	d.callees = sortedSet(callees)
	// A function without loops or calls does less than a call into
	// compiled code costs (about 1 µs against 0.2 µs for an interpreted
	// call): it gets no slot of its own, and is compiled into its callers.
	d.worth = d.worth || len(callees) > 0
	d.consts = sortedSet(consts)
	for is := range imports {
		d.imports = append(d.imports, is)
	}
	sort.Slice(d.imports, func(i, j int) bool { return d.imports[i].String() < d.imports[j].String() })
	return d
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// nativeValueType writes a parameter or result type that interpreted and
// compiled code share as they are: a basic type (copied by value, so the
// compiled copy cannot change what the caller holds), or error for results.
func nativeValueType(t types.Type, result bool) (string, bool) {
	if result && types.Identical(t, types.Universe.Lookup("error").Type()) {
		return "error", true
	}
	b, ok := t.(*types.Basic)
	if !ok || b.Info()&types.IsUntyped != 0 || b.Kind() == types.UnsafePointer || b.Kind() == types.Invalid {
		return "", false
	}
	return b.Name(), true
}

// nativeConst writes a constant of the notebook as a declaration for the
// compiled copy, when its type is a basic one.
func nativeConst(c *types.Const) (string, bool) {
	b, ok := c.Type().(*types.Basic)
	if !ok {
		return "", false
	}
	v := c.Val()
	val := v.ExactString()
	if v.Kind() == constant.Float && strings.Contains(val, "/") {
		val = "(" + strings.Replace(val, "/", ".0/", 1) + ")" // a rational, kept exact
	}
	if b.Info()&types.IsUntyped != 0 {
		if b.Kind() == types.UntypedRune {
			if r, exact := constant.Int64Val(v); exact {
				val = strconv.QuoteRune(rune(r)) // stays an untyped rune
			}
		}
		return fmt.Sprintf("const %s = %s", c.Name(), val), true
	}
	return fmt.Sprintf("const %s %s = %s", c.Name(), b.Name(), val), true
}
