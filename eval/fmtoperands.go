package eval

import (
	"go/ast"
	"go/types"
	"reflect"
	"strconv"

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
