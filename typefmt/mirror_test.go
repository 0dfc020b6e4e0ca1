package typefmt

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"
)

// mirrors turns values of this package's compiled struct types into what
// an interpreter shows reflection: unnamed structs (reflect.StructOf) whose
// unexported fields get an "X" prefix, without methods. Its Describer names
// each mirror after the compiled type, with the compiled field names and
// methods, so that the Printer's output for a mirror can be compared with
// fmt's for the original.
type mirrors struct {
	mu     sync.Mutex
	types  map[reflect.Type]reflect.Type // compiled → mirror
	back   map[reflect.Type]reflect.Type // mirror → compiled
	descs  map[reflect.Type]*Type        // mirror types (and pointers to them)
	unname bool                          // describe nothing: what fmt alone prints of mirrors
}

func newMirrors() *mirrors {
	return &mirrors{types: map[reflect.Type]reflect.Type{}, back: map[reflect.Type]reflect.Type{}, descs: map[reflect.Type]*Type{}}
}

var thisPkg = reflect.TypeFor[mirrors]().PkgPath()

// standIn is what an interpreter gives compiled code for a value of its
// own type with an Error method, where an error is expected.
type standIn struct {
	IValue any
	WError func() string
}

func (w standIn) Error() string { return w.WError() }

// stand wraps the mirror of an error as an interpreter would.
func (m *mirrors) stand(e error) error {
	return standIn{IValue: m.mirror(e), WError: e.Error}
}

var standInType = reflect.TypeFor[standIn]()

func (m *mirrors) Describe(t reflect.Type) *Type {
	if t == standInType {
		return &Type{
			Inner: func(v reflect.Value) (reflect.Value, *Type) { return v.Field(0).Elem(), nil },
			Error: func(v reflect.Value) (string, bool) { return v.Interface().(error).Error(), true },
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.descs[t]
}

func (m *mirrors) mirrorType(t reflect.Type) reflect.Type {
	m.mu.Lock()
	mt, ok := m.types[t]
	m.mu.Unlock()
	if ok {
		return mt
	}
	switch t.Kind() {
	case reflect.Pointer:
		mt = reflect.PointerTo(m.mirrorType(t.Elem()))
	case reflect.Slice:
		mt = reflect.SliceOf(m.mirrorType(t.Elem()))
	case reflect.Array:
		mt = reflect.ArrayOf(t.Len(), m.mirrorType(t.Elem()))
	case reflect.Map:
		mt = reflect.MapOf(m.mirrorType(t.Key()), m.mirrorType(t.Elem()))
	case reflect.Chan:
		mt = reflect.ChanOf(t.ChanDir(), m.mirrorType(t.Elem()))
	case reflect.Struct:
		if t.PkgPath() != thisPkg || t.Name() == "" {
			mt = t
			break
		}
		var fields, names []string
		var sfs []reflect.StructField
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := f.Name
			if !f.IsExported() {
				name = "X" + name
			}
			names = append(names, f.Name)
			fields = append(fields, name)
			sfs = append(sfs, reflect.StructField{Name: name, Type: m.mirrorType(f.Type), Tag: f.Tag})
		}
		mt = reflect.StructOf(sfs)
		m.mu.Lock()
		m.descs[mt] = m.methods(&Type{Name: t.String(), Fields: names}, t)
		pt := reflect.PointerTo(t)
		m.descs[reflect.PointerTo(mt)] = m.methods(&Type{}, pt)
		m.mu.Unlock()
	default:
		mt = t
	}
	m.mu.Lock()
	m.types[t] = mt
	if mt != t {
		m.back[mt] = t
	}
	m.mu.Unlock()
	return mt
}

// methods gives d the fmt methods of compiled type t, called on the
// compiled value a mirror came from.
func (m *mirrors) methods(d *Type, t reflect.Type) *Type {
	orig := func(v reflect.Value) any { return m.unmirror(v, t).Interface() }
	if t.Implements(stringerType) {
		d.String = func(v reflect.Value) (string, bool) { return orig(v).(fmt.Stringer).String(), true }
	}
	if t.Implements(errorType) {
		d.Error = func(v reflect.Value) (string, bool) { return orig(v).(error).Error(), true }
	}
	if t.Implements(goStringType) {
		d.GoString = func(v reflect.Value) (string, bool) { return orig(v).(fmt.GoStringer).GoString(), true }
	}
	if t.Implements(formatterType) {
		d.Format = func(v reflect.Value, f fmt.State, verb rune) bool {
			orig(v).(fmt.Formatter).Format(f, verb)
			return true
		}
	}
	return d
}

func readable(v reflect.Value) reflect.Value {
	if v.CanInterface() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func writable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// mirror converts a value to its mirror, deeply (pointers are copied).
func (m *mirrors) mirror(x any) any {
	if x == nil {
		return nil
	}
	v := reflect.ValueOf(x)
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return m.mirrorValue(c).Interface()
}

func (m *mirrors) mirrorValue(v reflect.Value) reflect.Value {
	t := v.Type()
	mt := m.mirrorType(t)
	if mt == t && t.Kind() != reflect.Interface && t.Kind() != reflect.Slice && t.Kind() != reflect.Map && t.Kind() != reflect.Array && t.Kind() != reflect.Struct {
		return v
	}
	out := reflect.New(mt).Elem()
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() > 0 {
			return v
		}
		if !v.IsNil() && t.NumMethod() == 0 { // an interpreter's value in an error is wrapped
			e := reflect.New(v.Elem().Type()).Elem()
			e.Set(v.Elem())
			out.Set(m.mirrorValue(e))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(mt.Elem())
			p.Elem().Set(m.mirrorValue(v.Elem()))
			out.Set(p)
		}
	case reflect.Slice:
		if !v.IsNil() {
			out.Set(reflect.MakeSlice(mt, v.Len(), v.Len()))
			for i := 0; i < v.Len(); i++ {
				out.Index(i).Set(m.mirrorValue(v.Index(i)))
			}
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(m.mirrorValue(v.Index(i)))
		}
	case reflect.Map:
		if !v.IsNil() {
			out.Set(reflect.MakeMap(mt))
			it := v.MapRange()
			for it.Next() {
				k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
				k.Set(it.Key())
				e.Set(it.Value())
				out.SetMapIndex(m.mirrorValue(k), m.mirrorValue(e))
			}
		}
	case reflect.Struct:
		if mt == t {
			return v
		}
		for i := 0; i < v.NumField(); i++ {
			out.Field(i).Set(m.mirrorValue(readable(v.Field(i))))
		}
	case reflect.Chan:
		if !v.IsNil() {
			panic("mirrors: a channel of a mirrored type cannot be copied")
		}
	default:
		return v
	}
	return out
}

// unmirror converts a mirror back to a value of compiled type t.
func (m *mirrors) unmirror(v reflect.Value, t reflect.Type) reflect.Value {
	out := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(t.Elem())
			p.Elem().Set(m.unmirror(v.Elem(), t.Elem()))
			out.Set(p)
		}
	case reflect.Struct:
		if v.Type() == t {
			return v
		}
		for i := 0; i < t.NumField(); i++ {
			writable(out.Field(i)).Set(m.unmirror(v.Field(i), t.Field(i).Type))
		}
	case reflect.Slice:
		if !v.IsNil() {
			out.Set(reflect.MakeSlice(t, v.Len(), v.Len()))
			for i := 0; i < v.Len(); i++ {
				out.Index(i).Set(m.unmirror(v.Index(i), t.Elem()))
			}
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(m.unmirror(v.Index(i), t.Elem()))
		}
	case reflect.Map:
		if !v.IsNil() {
			out.Set(reflect.MakeMap(t))
			it := v.MapRange()
			for it.Next() {
				out.SetMapIndex(m.unmirror(it.Key(), t.Key()), m.unmirror(it.Value(), t.Elem()))
			}
		}
	case reflect.Interface:
		if !v.IsNil() {
			e := v.Elem()
			if ct, ok := m.back[e.Type()]; ok {
				out.Set(m.unmirror(e, ct))
			} else {
				out.Set(e)
			}
		}
	default:
		out.Set(v)
	}
	return out
}
