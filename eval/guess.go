package eval

import (
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// guesser tells, from syntax and from the session's globals, the basic kind
// of an expression: "int", "float64", "string", another basic type name, or
// "" when it cannot tell. yaegi lacks range over integers, min and max; the
// rewrites that stand in for them need to know what they range over or
// compare, and this is enough for the code of a course (range n, range
// len(xs), min(a, b)) without type-checking the whole session.
type guesser struct {
	names    map[string]string // identifier → kind
	declared map[string]bool   // names the session or cell declares (shadowing builtins)
}

// newGuesser learns kinds from the session's globals and constants and the
// unit's own declarations.
func (s *Session) newGuesser(p *parsedUnit) *guesser {
	g := &guesser{names: map[string]string{}, declared: map[string]bool{}}
	if !needsGuesses(p.file) {
		return g // most cells: nothing to guess, and the globals cost time to list
	}
	for name, v := range globalsOf(s.in) {
		g.declared[name] = true
		if k := basicKind(v.Type()); k != "" {
			g.names[name] = k
		}
	}
	for _, e := range s.decls.entries {
		for _, k := range e.keys {
			if name, ok := strings.CutPrefix(k, "func "); ok {
				g.declared[name] = true
			}
		}
		for _, n := range e.intConsts {
			g.names[n] = "int"
		}
	}
	g.learn(p.file)
	return g
}

// needsGuesses reports whether a unit has what the guesses serve: a range
// statement or a call of a builtin gomp stands in for.
func needsGuesses(f *ast.File) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.RangeStmt:
			found = true
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok {
				switch id.Name {
				case "min", "max", "clear", "panic":
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// basicKind names a basic type the way Go source does.
func basicKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return t.Kind().String()
	}
	return ""
}

var basicTypeNames = map[string]bool{
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true, "rune": true, "byte": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"float32": true, "float64": true, "string": true,
}

// typeKind is the kind a type expression names, if basic.
func typeKind(t ast.Expr) string {
	id, ok := t.(*ast.Ident)
	if !ok || !basicTypeNames[id.Name] {
		return ""
	}
	switch id.Name {
	case "rune":
		return "int32"
	case "byte":
		return "uint8"
	}
	return id.Name
}

// learn records the kinds the unit's declarations give names. Two passes let
// n := 3 and m := n * 2 be learnt in either order.
func (g *guesser) learn(f *ast.File) {
	for range 2 {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Recv == nil {
					g.declared[n.Name.Name] = true
				}
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
					for i, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							if k := g.kind(n.Rhs[i]); k != "" {
								g.names[id.Name] = k
							}
						}
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					k := typeKind(n.Type)
					if n.Type == nil && i < len(n.Values) {
						k = g.kind(n.Values[i])
					}
					if k != "" {
						g.names[id.Name] = k
					}
				}
			case *ast.Field:
				if k := typeKind(n.Type); k != "" {
					for _, id := range n.Names {
						g.names[id.Name] = k
					}
				}
			case *ast.RangeStmt:
				// for i := range n (n an int) makes i an int too.
				if id, ok := n.Key.(*ast.Ident); ok && n.Tok == token.DEFINE {
					if k := g.kind(n.X); k == "int" {
						g.names[id.Name] = "int"
					} else if isSliceLike(n.X) {
						g.names[id.Name] = "int"
					}
				}
			}
			return true
		})
	}
}

func isSliceLike(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.CompositeLit:
		_, ok := e.Type.(*ast.ArrayType)
		return ok
	}
	return false
}

// shadowed reports whether a builtin's name was declared by the session.
func (g *guesser) shadowed(name string) bool { return g.declared[name] && g.names[name] == "" }

// untypedInt reports an integer literal (usable as any numeric kind).
func (g *guesser) untypedInt(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.INT
	case *ast.ParenExpr:
		return g.untypedInt(e.X)
	case *ast.UnaryExpr:
		return g.untypedInt(e.X)
	}
	return false
}

// knownResults are library functions whose result kind students range over
// or compare.
var knownResults = map[string]string{
	"runtime.NumCPU": "int", "runtime.NumGoroutine": "int", "mp.CPUCount": "int",
	"rand.Intn": "int", "rand.Int": "int", "rand.Float64": "float64",
	"utf8.RuneCountInString": "int", "strconv.Itoa": "string", "os.Getpid": "int", "os.Getppid": "int",
	"math.Sqrt": "float64", "math.Pow": "float64", "math.Abs": "float64", "math.Floor": "float64",
	"math.Ceil": "float64", "math.Max": "float64", "math.Min": "float64",
	"strings.ToUpper": "string", "strings.ToLower": "string", "strings.Repeat": "string",
	"strings.TrimSpace": "string", "fmt.Sprint": "string", "fmt.Sprintf": "string", "fmt.Sprintln": "string",
	"strings.Count": "int", "strings.Index": "int",
}

// kind guesses an expression's basic kind.
func (g *guesser) kind(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		switch e.Kind {
		case token.INT:
			return "int"
		case token.FLOAT:
			return "float64"
		case token.STRING:
			return "string"
		case token.CHAR:
			return "int32"
		}
	case *ast.ParenExpr:
		return g.kind(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.SUB || e.Op == token.ADD || e.Op == token.XOR {
			return g.kind(e.X)
		}
	case *ast.Ident:
		return g.names[e.Name]
	case *ast.CallExpr:
		switch fun := e.Fun.(type) {
		case *ast.Ident:
			switch fun.Name {
			case "len", "cap":
				return "int"
			case "min", "max":
				if len(e.Args) > 0 {
					return g.kind(e.Args[0])
				}
			}
			if k := typeKind(fun); k != "" {
				return k
			}
		case *ast.SelectorExpr:
			if pkg, ok := fun.X.(*ast.Ident); ok {
				return knownResults[pkg.Name+"."+fun.Sel.Name]
			}
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
			x, y := g.kind(e.X), g.kind(e.Y)
			switch {
			case x == y:
				return x
			case x == "" || y == "":
				if g.untypedInt(e.X) {
					return y
				}
				if g.untypedInt(e.Y) {
					return x
				}
				return ""
			case x == "float64" && g.untypedInt(e.Y), y == "float64" && g.untypedInt(e.X):
				return "float64"
			case g.untypedInt(e.X):
				return y
			case g.untypedInt(e.Y):
				return x
			}
		case token.SHL, token.SHR:
			return g.kind(e.X)
		}
	}
	return ""
}
