package eval

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"gomp/mp"
)

// Carrying a global variable into a rebuilt interpreter needs its type
// written as Go source (to declare it there) and its value converted to the
// new interpreter's type (which differs when the type was redefined).

// mpPkgPath is the Go package path of mp's types, which cells know as "mp"
// (a global holding a queue or a pipe end is declared in a child with it).
var mpPkgPath = reflect.TypeFor[mp.Process]().PkgPath()

// typeSource writes t as Go source a cell could declare a variable with.
// named maps the reflect types of the session's own types to their names.
// It reports false for types it cannot write (unexported fields, a package
// the session does not import, embedded fields).
func typeSource(t reflect.Type, named map[reflect.Type]string, imports []importSpec) (string, bool) {
	if n, ok := named[t]; ok {
		return n, true
	}
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name(), true // int, string, error...
		}
		path := t.PkgPath()
		if path == mpPkgPath {
			path = "mp" // cells import mp by its interpreter path
		}
		for _, is := range imports {
			if is.path == path && is.name != "_" && is.name != "." {
				return is.localName() + "." + t.Name(), true
			}
		}
		return "", false
	}
	elem := func(e reflect.Type) (string, bool) { return typeSource(e, named, imports) }
	switch t.Kind() {
	case reflect.Pointer:
		e, ok := elem(t.Elem())
		return "*" + e, ok
	case reflect.Slice:
		e, ok := elem(t.Elem())
		return "[]" + e, ok
	case reflect.Array:
		e, ok := elem(t.Elem())
		return fmt.Sprintf("[%d]%s", t.Len(), e), ok
	case reflect.Map:
		k, ok1 := elem(t.Key())
		v, ok2 := elem(t.Elem())
		return "map[" + k + "]" + v, ok1 && ok2
	case reflect.Chan:
		e, ok := elem(t.Elem())
		switch t.ChanDir() {
		case reflect.RecvDir:
			return "<-chan " + e, ok
		case reflect.SendDir:
			return "chan<- " + e, ok
		}
		return "chan " + e, ok
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "any", true
		}
		return "", false
	case reflect.Func:
		var in, out []string
		for i := range t.NumIn() {
			s, ok := elem(t.In(i))
			if !ok {
				return "", false
			}
			if t.IsVariadic() && i == t.NumIn()-1 {
				s = "..." + strings.TrimPrefix(s, "[]")
			}
			in = append(in, s)
		}
		for i := range t.NumOut() {
			s, ok := elem(t.Out(i))
			if !ok {
				return "", false
			}
			out = append(out, s)
		}
		src := "func(" + strings.Join(in, ", ") + ")"
		switch len(out) {
		case 0:
		case 1:
			src += " " + out[0]
		default:
			src += " (" + strings.Join(out, ", ") + ")"
		}
		return src, true
	case reflect.Struct:
		var fields []string
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				return "", false
			}
			s, ok := elem(f.Type)
			if !ok {
				return "", false
			}
			fields = append(fields, sourceFieldName(f.Name)+" "+s)
		}
		return "struct{" + strings.Join(fields, "; ") + "}", true
	}
	return "", false
}

// convertValue converts v to type t: unchanged when the types are the same
// (maps, slices, channels and pointers stay shared), field by field (by name)
// for a struct whose type was redefined, element by element for containers
// of such structs. It reports false when no sensible conversion exists.
func convertValue(v reflect.Value, t reflect.Type) (reflect.Value, bool) {
	if !v.IsValid() {
		return reflect.Zero(t), true
	}
	if v.Type() == t {
		return v, true
	}
	switch {
	case v.Kind() == reflect.Struct && t.Kind() == reflect.Struct:
		out := reflect.New(t).Elem()
		for i := range t.NumField() {
			f := t.Field(i)
			old := v.FieldByName(f.Name)
			if !old.IsValid() || !out.Field(i).CanSet() {
				continue
			}
			if c, ok := convertValue(old, f.Type); ok {
				out.Field(i).Set(c)
			}
		}
		return out, true
	case v.Kind() == reflect.Pointer && t.Kind() == reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(t), true
		}
		e, ok := convertValue(v.Elem(), t.Elem())
		if !ok {
			return reflect.Value{}, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p, true
	case v.Kind() == reflect.Slice && t.Kind() == reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(t), true
		}
		out := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := range v.Len() {
			e, ok := convertValue(v.Index(i), t.Elem())
			if !ok {
				return reflect.Value{}, false
			}
			out.Index(i).Set(e)
		}
		return out, true
	case v.Kind() == reflect.Map && t.Kind() == reflect.Map:
		if v.IsNil() {
			return reflect.Zero(t), true
		}
		out := reflect.MakeMapWithSize(t, v.Len())
		it := v.MapRange()
		for it.Next() {
			k, ok1 := convertValue(it.Key(), t.Key())
			e, ok2 := convertValue(it.Value(), t.Elem())
			if !ok1 || !ok2 {
				return reflect.Value{}, false
			}
			out.SetMapIndex(k, e)
		}
		return out, true
	case v.Type().ConvertibleTo(t):
		return v.Convert(t), true
	}
	return reflect.Value{}, false
}

// sourceFieldName undoes yaegi's renaming of an unexported field x to Xx
// (reflect.StructOf takes exported names only).
func sourceFieldName(name string) string {
	if len(name) > 1 && name[0] == 'X' && unicode.IsLower(rune(name[1])) {
		return name[1:]
	}
	return name
}
