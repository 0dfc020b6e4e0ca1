package help

import (
	"go/constant"
	"path"
	"reflect"
	"strconv"
	"strings"
	"unicode"
)

// The interpreter's symbol tables (yaegi's stdlib.Symbols and interp.Exports
// of registered packages) hold one reflect.Value per exported name, in the
// shapes `yaegi extract` writes:
//
//	func   reflect.ValueOf(fmt.Println)
//	type   reflect.ValueOf((*bufio.Reader)(nil))
//	var    reflect.ValueOf(&io.EOF).Elem()           (addressable)
//	const  reflect.ValueOf(constant.MakeFromLiteral(...)) for untyped ones,
//	       reflect.ValueOf(time.Nanosecond) for typed ones
//
// Names starting with "_" are interface wrappers, not API.

var constantValueType = reflect.TypeOf((*constant.Value)(nil)).Elem()

// symbolKind classifies a symbol-table entry. The order of the tests
// matters: a var of func or pointer type is addressable; an untyped
// string constant is a non-nil pointer implementing constant.Value.
func symbolKind(v reflect.Value) Kind {
	switch {
	case !v.IsValid():
		return ""
	case v.CanAddr():
		return KindVar
	case v.Type().Implements(constantValueType):
		return KindConst
	case v.Kind() == reflect.Func:
		return KindFunc
	case v.Kind() == reflect.Pointer && v.IsNil():
		return KindType
	default:
		return KindConst
	}
}

// reflectDoc documents name from a symbol table: a signature without
// parameter names, and no doc comment.
func reflectDoc(importPath, name string, syms map[string]reflect.Value) (Doc, bool) {
	q := qualifierOf(importPath, syms)
	d := Doc{ImportPath: importPath, Name: name, Reflected: true}
	if name == "" {
		d.Kind = KindPackage
		d.Decl = "package " + q.pkgName
		return d, true
	}
	if typeName, member, ok := strings.Cut(name, "."); ok {
		v, ok := syms[typeName]
		if !ok || symbolKind(v) != KindType {
			return Doc{}, false
		}
		return q.memberDoc(d, v.Type().Elem(), member)
	}
	v, ok := syms[name]
	if !ok || strings.HasPrefix(name, "_") {
		return Doc{}, false
	}
	d.Kind = symbolKind(v)
	switch d.Kind {
	case KindFunc:
		d.Decl = "func " + name + q.signature(v.Type(), 0)
	case KindVar:
		d.Decl = "var " + name + " " + q.typeString(v.Type())
	case KindConst:
		d.Decl = "const " + name + q.constTypeAndValue(v)
	case KindType:
		t := v.Type().Elem()
		d.Decl = "type " + name + " " + q.underlying(t)
		d.Methods = q.methods(t)
	}
	return d, true
}

// memberDoc documents a method, interface method or struct field of t.
func (q qualifier) memberDoc(d Doc, t reflect.Type, member string) (Doc, bool) {
	if t.Kind() == reflect.Interface {
		if m, ok := t.MethodByName(member); ok {
			d.Kind = KindMethod
			d.Decl = member + q.signature(m.Type, 0)
			return d, true
		}
		return Doc{}, false
	}
	recv := q.typeString(t)
	m, ok := t.MethodByName(member)
	if !ok {
		m, ok = reflect.PointerTo(t).MethodByName(member)
		recv = "*" + recv
	}
	if ok {
		d.Kind = KindMethod
		d.Decl = "func (" + recv + ") " + member + q.signature(m.Type, 1)
		return d, true
	}
	if t.Kind() == reflect.Struct {
		if f, ok := t.FieldByName(member); ok && f.IsExported() {
			d.Kind = KindField
			d.Decl = member + " " + q.typeString(f.Type)
			return d, true
		}
	}
	return Doc{}, false
}

// qualifier prints reflect types as Go source written inside the package:
// its own types unqualified (Duration, not time.Duration), others
// qualified, and interface{} as any.
type qualifier struct {
	pkgName string
}

// qualifierOf finds the package's name (which may differ from the last
// path element, as in math/rand/v2, and whose import path may differ from
// the one cells use, as gomp/mp for "mp") from its types: reflect names
// types by package name. A package's table declares only its own types;
// the alphabetically first one decides, so that the answer is stable.
func qualifierOf(importPath string, syms map[string]reflect.Value) qualifier {
	first := ""
	q := qualifier{pkgName: path.Base(importPath)}
	for name, v := range syms {
		if symbolKind(v) != KindType || (first != "" && name > first) {
			continue
		}
		t := v.Type().Elem()
		if pkg, _, ok := strings.Cut(t.String(), "."); ok && t.Name() != "" {
			first, q.pkgName = name, pkg
		}
	}
	return q
}

func (q qualifier) typeString(t reflect.Type) string {
	s := strings.ReplaceAll(t.String(), "interface {}", "any")
	s = replaceIdent(s, "uint8", "byte")
	return replaceIdent(s, q.pkgName+".", "")
}

// replaceIdent replaces old where it starts an identifier: "time." in
// "[]time.Duration" but not in "mytime.Duration".
func replaceIdent(s, old, new string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], old) && (i == 0 || !isIdentByte(s[i-1])) &&
			(i+len(old) == len(s) || old[len(old)-1] == '.' || !isIdentByte(s[i+len(old)])) {
			b.WriteString(new)
			i += len(old)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 0x80 || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))
}

// signature prints a func type's parameters and results, skipping the
// first skip parameters (a method value's receiver).
func (q qualifier) signature(t reflect.Type, skip int) string {
	var params []string
	for i := skip; i < t.NumIn(); i++ {
		p := t.In(i)
		if t.IsVariadic() && i == t.NumIn()-1 {
			params = append(params, "..."+q.typeString(p.Elem()))
			continue
		}
		params = append(params, q.typeString(p))
	}
	s := "(" + strings.Join(params, ", ") + ")"
	var results []string
	for i := 0; i < t.NumOut(); i++ {
		results = append(results, q.typeString(t.Out(i)))
	}
	switch len(results) {
	case 0:
	case 1:
		s += " " + results[0]
	default:
		s += " (" + strings.Join(results, ", ") + ")"
	}
	return s
}

// underlying prints the underlying type of a named type t, since
// t.String() would print its name.
func (q qualifier) underlying(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct:
		var b strings.Builder
		b.WriteString("struct {\n")
		hidden := false
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				hidden = true
				continue
			}
			if f.Anonymous {
				b.WriteString("\t" + q.typeString(f.Type) + "\n")
			} else {
				b.WriteString("\t" + f.Name + " " + q.typeString(f.Type) + "\n")
			}
		}
		if hidden {
			b.WriteString("\t// contains filtered or unexported fields\n")
		}
		return b.String() + "}"
	case reflect.Interface:
		var b strings.Builder
		b.WriteString("interface {\n")
		for i := 0; i < t.NumMethod(); i++ {
			m := t.Method(i)
			b.WriteString("\t" + m.Name + q.signature(m.Type, 0) + "\n")
		}
		return b.String() + "}"
	case reflect.Func:
		return "func" + q.signature(t, 0)
	case reflect.Pointer:
		return "*" + q.typeString(t.Elem())
	case reflect.Slice:
		return "[]" + q.typeString(t.Elem())
	case reflect.Array:
		return "[" + strconv.Itoa(t.Len()) + "]" + q.typeString(t.Elem())
	case reflect.Map:
		return "map[" + q.typeString(t.Key()) + "]" + q.typeString(t.Elem())
	case reflect.Chan:
		switch t.ChanDir() {
		case reflect.RecvDir:
			return "<-chan " + q.typeString(t.Elem())
		case reflect.SendDir:
			return "chan<- " + q.typeString(t.Elem())
		}
		return "chan " + q.typeString(t.Elem())
	default:
		return t.Kind().String()
	}
}

// methods lists the exported methods callable on a *T (or on the interface).
func (q qualifier) methods(t reflect.Type) []string {
	if t.Kind() == reflect.Interface {
		return nil // already in the interface's declaration
	}
	pt := reflect.PointerTo(t)
	var out []string
	for i := 0; i < pt.NumMethod(); i++ {
		m := pt.Method(i)
		recv := "*" + q.typeString(t)
		if _, onValue := t.MethodByName(m.Name); onValue {
			recv = q.typeString(t)
		}
		out = append(out, "func ("+recv+") "+m.Name+q.signature(m.Type, 1))
	}
	return out
}

// constTypeAndValue prints " = 3.141592653589793" for an untyped constant
// and " Duration = 1" for a typed one.
func (q qualifier) constTypeAndValue(v reflect.Value) string {
	if v.Type().Implements(constantValueType) {
		c := v.Interface().(constant.Value)
		if c.Kind() == constant.Float { // yaegi stores them as exact fractions
			f, _ := constant.Float64Val(c)
			return " = " + strconv.FormatFloat(f, 'g', -1, 64)
		}
		return " = " + c.ExactString()
	}
	typ := " " + q.typeString(v.Type()) + " = "
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return typ + strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return typ + strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return typ + strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.String:
		return typ + strconv.Quote(v.String())
	case reflect.Bool:
		return typ + strconv.FormatBool(v.Bool())
	default:
		return typ + "…"
	}
}
