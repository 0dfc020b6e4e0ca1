package eval

import (
	"go/ast"
	"go/types"
	"reflect"
	"strconv"
	"strings"

	"gomp/typefmt"
)

// A value of the notebook's named non-struct type (type F float64) is its
// underlying type's to reflect, so fmt cannot name it: %T of F(2.5) printed
// float64. The checker knows the static type of every operand of a cell's
// fmt and log calls, so an operand of such a type travels with its type's
// name (rewriter.fmtOperands), and the session's printer names it.

// typedOperand is an operand of a print call with the name of the
// notebook type it has.
type typedOperand struct {
	v    any
	name string // the declaration's name, as in declaredType
}

func typedValue(v any, name string) any { return typedOperand{v, name} }

var typedOperandType = reflect.TypeFor[typedOperand]()

// describeTyped describes a typedOperand: it prints as its value, under
// the name of its type.
func (d sessionTypes) describeTyped() *typefmt.Type {
	return &typefmt.Type{Inner: func(v reflect.Value) (reflect.Value, *typefmt.Type) {
		op := v.Interface().(typedOperand)
		inner := reflect.ValueOf(op.v)
		ft := d.s.fmtTypesNow()
		for _, dt := range ft.declared {
			if dt.name == op.name && inner.IsValid() && dt.rt == inner.Type() {
				return inner, ft.named(d.s, dt)
			}
		}
		return inner, nil
	}}
}

// printFuncs are the fmt and log functions whose operands are checked: the
// index of their first operand.
var printFuncs = map[string]int{
	"fmt.Print": 0, "fmt.Println": 0, "fmt.Printf": 1,
	"fmt.Sprint": 0, "fmt.Sprintln": 0, "fmt.Sprintf": 1,
	"fmt.Fprint": 1, "fmt.Fprintln": 1, "fmt.Fprintf": 2,
	"fmt.Errorf": 1, "fmt.Append": 1, "fmt.Appendln": 1, "fmt.Appendf": 2,
	"log.Print": 0, "log.Println": 0, "log.Printf": 1,
	"log.Fatal": 0, "log.Fatalln": 0, "log.Fatalf": 1,
	"log.Panic": 0, "log.Panicln": 0, "log.Panicf": 1,
}

// fmtOperands gives each operand of a print call whose type is one of the
// notebook's named non-struct types without methods its type's name:
// fmt.Printf("%T", f) becomes fmt.Printf("%T", __gomp.Typed(f, "F")). A
// type with methods is left to yaegi's wrappers, which carry them.
func (r *rewriter) fmtOperands(c *ast.CallExpr) {
	if r.f == nil || c.Ellipsis.IsValid() {
		return
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	fn, ok := r.f.object(r.p.off(sel.Sel.Pos())).(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Type().(*types.Signature).Recv() != nil {
		return // a method, such as a log.Logger's, is the real package's
	}
	first, ok := printFuncs[fn.Pkg().Path()+"."+fn.Name()]
	if !ok {
		return
	}
	for _, a := range c.Args[min(first, len(c.Args)):] {
		if r.localTypeOperand(a) {
			continue
		}
		named, ok := types.Unalias(r.typeOf(a)).(*types.Named)
		if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "main" || named.TypeArgs() != nil {
			continue
		}
		switch named.Underlying().(type) {
		case *types.Struct, *types.Interface:
			continue
		}
		if types.NewMethodSet(named).Len() > 0 || types.NewMethodSet(types.NewPointer(named)).Len() > 0 {
			continue
		}
		start, end := r.p.off(a.Pos()), r.p.off(a.End())
		r.edits = append(r.edits,
			edit{start, start, runtimePkg + ".Typed("},
			edit{end, end, ", " + strconv.Quote(named.Obj().Name()) + ")"})
	}
}

// localTypeOperand gives an operand whose type was declared in a function
// (or is a pointer to one) its name and field names, which the session's
// printer cannot look up: fmt.Printf("%+v", p) of a `type point struct{ x,
// y int }` declared in main becomes fmt.Printf("%+v", __gomp.TypedLocal(p,
// "main.point", false, "x", "y")), and prints {x:1 y:2}, not {Xx:1 Xy:2}.
func (r *rewriter) localTypeOperand(a ast.Expr) bool {
	t := types.Unalias(r.typeOf(a))
	ptr := false
	if p, ok := t.(*types.Pointer); ok {
		t, ptr = types.Unalias(p.Elem()), true
	}
	named, ok := t.(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "main" || named.TypeArgs() != nil ||
		named.Obj().Parent() == named.Obj().Pkg().Scope() || named.Obj().Parent() == nil {
		return false
	}
	args := []string{strconv.Quote("main." + named.Obj().Name()), strconv.FormatBool(ptr)}
	if st, ok := named.Underlying().(*types.Struct); ok {
		for i := range st.NumFields() {
			args = append(args, strconv.Quote(st.Field(i).Name()))
		}
	} else if ptr {
		return false // a pointer to a local non-struct type prints as an address anyway
	}
	start, end := r.p.off(a.Pos()), r.p.off(a.End())
	r.edits = append(r.edits,
		edit{start, start, runtimePkg + ".TypedLocal("},
		edit{end, end, ", " + strings.Join(args, ", ") + ")"})
	return true
}

// typedLocal is an operand of a local type, with what the printer is to
// know of it.
type typedLocal struct {
	v    any
	desc *typefmt.Type
}

var typedLocalType = reflect.TypeFor[typedLocal]()

func typedLocalValue(v any, name string, ptr bool, fields ...string) any {
	desc := &typefmt.Type{Name: name, Fields: fields}
	if ptr {
		desc = &typefmt.Type{Name: "*" + name, Elem: desc}
	}
	return typedLocal{v, desc}
}

// describeLocal describes a typedLocal: it prints as its value, with the
// description it carries.
func describeLocal() *typefmt.Type {
	return &typefmt.Type{Inner: func(v reflect.Value) (reflect.Value, *typefmt.Type) {
		op := v.Interface().(typedLocal)
		return reflect.ValueOf(op.v), op.desc
	}}
}
