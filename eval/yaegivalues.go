package eval

import (
	"reflect"
	"strings"
	"unsafe"

	"gomp/typefmt"
)

// An `any` of the interpreter that holds a value of a cell's type with
// methods reaches compiled code as yaegi's interp.valueInterface (a node,
// whose type knows the value's type, and the value), for example each
// element of a []any given to fmt.Println(xs...). The real fmt prints its
// internals; the cells' fmt reads it here. Its layout is yaegi v0.16.1's
// (go.mod pins it): anything else is left to fmt.

var reflectValueType = reflect.TypeFor[reflect.Value]()

func isValueInterface(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.Name() == "valueInterface" &&
		t.PkgPath() == "github.com/traefik/yaegi/interp" && t.NumField() == 2 &&
		t.Field(0).Type.Kind() == reflect.Pointer && t.Field(1).Type == reflectValueType
}

// readValueInterface returns the value an interp.valueInterface holds and
// its type as yaegi spells it ("main.state", "*main.node").
func readValueInterface(v reflect.Value) (inner reflect.Value, typ string) {
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	f := c.Field(1)
	inner = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(reflect.Value)
	if n := c.Field(0); !n.IsNil() {
		if t := n.Elem().FieldByName("typ"); t.IsValid() && t.Kind() == reflect.Pointer && !t.IsNil() {
			if s := t.Elem().FieldByName("str"); s.IsValid() && s.Kind() == reflect.String {
				typ = s.String()
			}
		}
	}
	return inner, typ
}

// valueInterface describes yaegi's valueInterface: it stands for the value
// it holds, named after the cell's type when reflect cannot tell it (a
// named non-struct type), with that type's methods.
func (ft *fmtTypes) valueInterface(s *Session) *typefmt.Type {
	return &typefmt.Type{Inner: func(v reflect.Value) (reflect.Value, *typefmt.Type) {
		inner, typ := readValueInterface(v)
		if !inner.IsValid() || ft.types[inner.Type()] != nil {
			return inner, nil
		}
		name, ok := strings.CutPrefix(typ, "main.")
		if !ok {
			return inner, nil
		}
		for _, d := range ft.declared {
			if d.name == name && d.rt == inner.Type() {
				return inner, ft.named(s, d)
			}
		}
		return inner, nil
	}}
}

// named describes a value of declared type d that reflect sees as d's
// underlying type: its name, and its methods declared on values.
func (ft *fmtTypes) named(s *Session, d declaredType) *typefmt.Type {
	if t, ok := ft.byName.Load(d.name); ok {
		return t.(*typefmt.Type)
	}
	t := &typefmt.Type{Name: "main." + goTypeName(d.name)}
	for m := range d.methods {
		s.setMethod(t, d.name, m)
	}
	ft.byName.Store(d.name, t)
	return t
}
