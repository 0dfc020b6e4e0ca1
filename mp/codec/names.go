package codec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"sync"
)

// Type names come from another process and the receiver's resolver will
// likely compile them (mp.Host evaluates `*new(NAME)` in its interpreter),
// so a forged name must not smuggle code in: "int); os.Exit(1); (int" is
// refused here (and so are array lengths beyond 2^30), before any resolver sees it. A name is accepted if it
// parses as a type expression made only of type constructs. Accepted names
// are interned, so a name is parsed once, and reading it again allocates
// nothing.

var names struct {
	sync.RWMutex
	m map[string]string
}

// internTypeName returns b as a string if it is a valid type expression.
func internTypeName(b []byte) (string, bool) {
	names.RLock()
	s, ok := names.m[string(b)]
	names.RUnlock()
	if ok {
		return s, true
	}
	s = string(b)
	if !isTypeExpr(s) {
		return "", false
	}
	names.Lock()
	if names.m == nil {
		names.m = make(map[string]string)
	}
	if len(names.m) < maxCached {
		names.m[s] = s
	}
	names.Unlock()
	return s, true
}

func isTypeExpr(s string) bool {
	if len(s) > 4096 {
		return false
	}
	e, err := parser.ParseExpr(s)
	return err == nil && onlyTypes(e)
}

// onlyTypes tells expressions that can only denote types: names, qualified
// names, pointers, slices and arrays of constant length, maps, channels,
// funcs, anonymous structs and interfaces, and instantiated generic types.
func onlyTypes(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		_, ok := e.X.(*ast.Ident)
		return ok
	case *ast.ParenExpr:
		return onlyTypes(e.X)
	case *ast.StarExpr:
		return onlyTypes(e.X)
	case *ast.ArrayType:
		if e.Len != nil {
			l, ok := e.Len.(*ast.BasicLit)
			if !ok || l.Kind != token.INT {
				return false
			}
			if n, err := strconv.ParseUint(l.Value, 0, 64); err != nil || n > 1<<30 {
				return false
			}
		}
		return onlyTypes(e.Elt)
	case *ast.MapType:
		return onlyTypes(e.Key) && onlyTypes(e.Value)
	case *ast.ChanType:
		return onlyTypes(e.Value)
	case *ast.FuncType:
		return e.TypeParams == nil && fieldsAreTypes(e.Params) && fieldsAreTypes(e.Results)
	case *ast.StructType:
		return fieldsAreTypes(e.Fields)
	case *ast.InterfaceType:
		return fieldsAreTypes(e.Methods)
	case *ast.IndexExpr:
		return onlyTypes(e.X) && onlyTypes(e.Index)
	case *ast.IndexListExpr:
		for _, x := range e.Indices {
			if !onlyTypes(x) {
				return false
			}
		}
		return onlyTypes(e.X)
	case *ast.Ellipsis:
		return e.Elt != nil && onlyTypes(e.Elt)
	}
	return false
}

func fieldsAreTypes(fl *ast.FieldList) bool {
	if fl == nil {
		return true
	}
	for _, f := range fl.List {
		if f.Tag != nil && f.Tag.Kind != token.STRING || !onlyTypes(f.Type) {
			return false
		}
	}
	return true
}
