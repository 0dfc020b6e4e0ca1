package typefmt

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

var (
	errorType     = reflect.TypeFor[error]()
	stringerType  = reflect.TypeFor[fmt.Stringer]()
	formatterType = reflect.TypeFor[fmt.Formatter]()
	goStringType  = reflect.TypeFor[fmt.GoStringer]()
)

// printArg prints one operand, as fmt's printArg.
func (p *printer) printArg(arg any, verb rune) {
	v := reflect.ValueOf(arg)
	odd := unspellable(verb)
	if arg == nil {
		if odd {
			p.badVerb(v, verb)
		} else {
			p.delegate(nil, verb)
		}
		return
	}
	if !odd && !p.needs(v, 0) {
		if verb == 'w' && p.wrapErrs {
			if _, ok := arg.(error); ok {
				verb = 'v' // as fmt's handleMethods does for Errorf
			}
		}
		p.delegate(arg, verb)
		return
	}
	inner, over := p.unwrap(v)
	switch verb {
	case 'T':
		p.delegate(p.typeName(inner, over, arg), 's')
		return
	case 'p':
		if inner.IsValid() {
			p.fmtPointer(inner, 'p')
		} else {
			p.delegate(arg, 'p')
		}
		return
	}
	if p.handleMethods(v, verb) {
		return
	}
	if !inner.IsValid() {
		p.opaque(v, verb)
		return
	}
	if over != nil {
		p.top, p.topDepth = over, 0
		defer func() { p.top = nil }()
	}
	p.printValue(inner, verb, 0, true)
}

// opaque prints a stand-in that does not carry its value by its methods.
func (p *printer) opaque(v reflect.Value, verb rune) {
	for _, b := range p.methodsOf(v) {
		if b.Error != nil && p.callString(b.v, verb, "Error", b.Error, 's') {
			return
		}
		if b.String != nil && p.callString(b.v, verb, "String", b.String, 's') {
			return
		}
	}
	p.badVerb(reflect.Value{}, verb)
}

// bound is a Type and the value its methods are called on.
type bound struct {
	*Type
	v reflect.Value
}

// methodsOf returns the Types whose methods apply to v: a stand-in's own,
// then those of the value it stands for.
func (p *printer) methodsOf(v reflect.Value) []bound {
	var ds []bound
	for i := 0; v.IsValid() && i < 4; i++ {
		d := p.describe(v.Type())
		if d == nil {
			break
		}
		ds = append(ds, bound{d, v})
		if d.Inner == nil {
			break
		}
		inner, over := d.Inner(v)
		if over != nil {
			ds = append(ds, bound{over, inner})
			if inner.IsValid() {
				if d := p.describe(inner.Type()); d != nil && d.Inner == nil {
					ds = append(ds, bound{d, inner})
				}
			}
			break
		}
		v = inner
	}
	return ds
}

// handleMethods calls v's Format, GoString, Error or String method where fmt
// would; it reports whether it printed v.
func (p *printer) handleMethods(v reflect.Value, verb rune) bool {
	if p.erroring {
		return false
	}
	ds := p.methodsOf(v)
	if verb == 'w' {
		if !p.isError(v, ds) || !p.wrapErrs {
			p.badVerb(v, verb)
			return true
		}
		verb = 'v'
	}
	if len(ds) == 0 {
		return p.compiledMethods(v, verb)
	}
	for _, b := range ds {
		if b.Format != nil {
			ok := p.call(b.v, verb, "Format", func() (bool, string) {
				st := &state{p: p}
				return b.Format(b.v, st, verb), ""
			})
			if ok {
				return true
			}
		}
	}
	if p.f.sharpV {
		for _, b := range ds {
			if b.GoString != nil && p.callString(b.v, verb, "GoString", b.GoString, 's') {
				return true
			}
		}
		return false
	}
	switch verb {
	case 'v', 's', 'x', 'X', 'q':
		for _, b := range ds {
			if b.Error != nil && p.callString(b.v, verb, "Error", b.Error, verb) {
				return true
			}
		}
		for _, b := range ds {
			if b.String != nil && p.callString(b.v, verb, "String", b.String, verb) {
				return true
			}
		}
	}
	return false
}

func (p *printer) isError(v reflect.Value, ds []bound) bool {
	for _, d := range ds {
		if d.Error != nil {
			return true
		}
	}
	return v.Type().Implements(errorType)
}

// compiledMethods handles a type the Describer does not know that has
// fmt's methods: fmt prints it (the methods are compiled code's own).
func (p *printer) compiledMethods(v reflect.Value, verb rune) bool {
	t := v.Type()
	if !v.CanInterface() {
		return false
	}
	if unspellable(verb) {
		f, ok := v.Interface().(fmt.Formatter)
		if ok {
			p.call(v, verb, "Format", func() (bool, string) {
				f.Format(&state{p: p}, verb)
				return true, ""
			})
		}
		return ok
	}
	switch {
	case t.Implements(formatterType):
	case p.f.sharpV && t.Implements(goStringType):
	case !p.f.sharpV && (verb == 'v' || verb == 's' || verb == 'x' || verb == 'X' || verb == 'q') &&
		(t.Implements(errorType) || t.Implements(stringerType)):
	default:
		return false
	}
	p.delegate(v.Interface(), verb)
	return true
}

// callString calls a string-valued method and prints its result with verb,
// false if the Describer could not call it.
func (p *printer) callString(v reflect.Value, verb rune, method string, m func(reflect.Value) (string, bool), as rune) bool {
	return p.call(v, verb, method, func() (bool, string) {
		s, ok := m(v)
		return ok, s
	}, as)
}

// call runs a method, catching its panic as fmt's catchPanic does.
func (p *printer) call(v reflect.Value, verb rune, method string, f func() (bool, string), as ...rune) (handled bool) {
	mark := len(p.buf)
	defer func() {
		err := recover()
		if err == nil {
			return
		}
		handled = true
		p.buf = p.buf[:mark]
		if u, _ := p.unwrap(v); u.Kind() == reflect.Pointer && u.IsNil() {
			p.write("<nil>")
			return
		}
		if p.panicking {
			panic(err)
		}
		old := p.f
		p.f = flags{}
		p.write("%!")
		p.buf = utf8.AppendRune(p.buf, verb)
		p.write("(PANIC=" + method + " method: ")
		p.panicking = true
		p.printArg(err, 'v')
		p.panicking = false
		p.buf = append(p.buf, ')')
		p.f = old
	}()
	ok, s := f()
	if !ok {
		p.buf = p.buf[:mark]
		return false
	}
	if len(as) > 0 {
		p.delegate(s, as[0])
	}
	return true
}

// badVerb writes fmt's %!verb(type=value).
func (p *printer) badVerb(v reflect.Value, verb rune) {
	p.erroring = true
	p.write("%!")
	p.buf = utf8.AppendRune(p.buf, verb)
	p.buf = append(p.buf, '(')
	if v.IsValid() {
		p.write(p.typeString(v.Type()))
		p.buf = append(p.buf, '=')
		p.printValue(v, 'v', 0, true)
	} else {
		p.write("<nil>")
	}
	p.buf = append(p.buf, ')')
	p.erroring = false
}

// printValue is fmt's printValue for a value that involves a described
// type; what does not is printed by fmt at the same depth. canIface says
// whether fmt could call the value's methods (false below a field the
// source does not export).
func (p *printer) printValue(v reflect.Value, verb rune, depth int, canIface bool) {
	named := p.topAt(depth) != nil && (p.f.sharpV || p.f.plusV)
	if p.spellable(verb) && !p.needs(v, depth) && !named {
		p.delegateAt(v, verb, depth, canIface)
		return
	}
	if depth > 0 && canIface && p.handleMethods(v, verb) {
		return
	}
	if d := p.describe(v.Type()); d != nil && d.Inner != nil {
		if inner, _ := p.unwrap(v); inner.IsValid() {
			p.printValue(inner, verb, depth, canIface)
		} else {
			p.opaque(v, verb)
		}
		return
	}
	t := v.Type()
	switch v.Kind() {
	case reflect.Map:
		if p.f.sharpV {
			p.write(p.compositeName(t, depth))
			if v.IsNil() {
				p.write("(nil)")
				return
			}
			p.buf = append(p.buf, '{')
		} else {
			p.write("map[")
		}
		for i, kv := range sortMap(v) {
			if i > 0 {
				p.sep()
			}
			p.printValue(kv.key, verb, depth+1, canIface)
			p.buf = append(p.buf, ':')
			p.printValue(kv.value, verb, depth+1, canIface)
		}
		if p.f.sharpV {
			p.buf = append(p.buf, '}')
		} else {
			p.buf = append(p.buf, ']')
		}
	case reflect.Struct:
		if p.f.sharpV {
			p.write(p.compositeName(t, depth))
		}
		p.buf = append(p.buf, '{')
		names := p.fieldNames(t)
		if top := p.topAt(depth); top != nil && len(top.Fields) == t.NumField() {
			names = top.Fields
		}
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				p.sep()
			}
			if p.f.plusV || p.f.sharpV {
				p.write(names[i])
				p.buf = append(p.buf, ':')
			}
			f := v.Field(i)
			if f.Kind() == reflect.Interface && !f.IsNil() && p.needs(f, depth+1) {
				f = f.Elem() // fmt's getField; otherwise fmt prints the field itself
			}
			p.printValue(f, verb, depth+1, canIface && isExported(names[i]))
		}
		p.buf = append(p.buf, '}')
	case reflect.Interface:
		e := v.Elem()
		if !e.IsValid() {
			if p.f.sharpV {
				p.write(p.compositeName(t, depth) + "(nil)")
			} else {
				p.write("<nil>")
			}
			return
		}
		p.printValue(e, verb, depth+1, canIface)
	case reflect.Array, reflect.Slice:
		if p.f.sharpV {
			p.write(p.compositeName(t, depth))
			if v.Kind() == reflect.Slice && v.IsNil() {
				p.write("(nil)")
				return
			}
			p.buf = append(p.buf, '{')
			for i := 0; i < v.Len(); i++ {
				if i > 0 {
					p.write(", ")
				}
				p.printValue(v.Index(i), verb, depth+1, canIface)
			}
			p.buf = append(p.buf, '}')
			return
		}
		p.buf = append(p.buf, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				p.buf = append(p.buf, ' ')
			}
			p.printValue(v.Index(i), verb, depth+1, canIface)
		}
		p.buf = append(p.buf, ']')
	case reflect.Pointer:
		if depth == 0 && !v.IsNil() {
			switch e := v.Elem(); e.Kind() {
			case reflect.Array, reflect.Slice, reflect.Struct, reflect.Map:
				p.buf = append(p.buf, '&')
				if top := p.topAt(depth); top != nil {
					p.top, p.topDepth = top.Elem, depth+1
				}
				p.printValue(e, verb, depth+1, canIface)
				return
			}
		}
		p.fmtPointer(v, verb)
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		p.fmtPointer(v, verb)
	default:
		p.delegateAt(v, verb, depth, canIface)
	}
}

// compositeName spells a composite's type for %#v: the operand's own
// name at the top (printer.top), else its type's.
// topAt is what a stand-in said of the value at depth, nil if nothing.
func (p *printer) topAt(depth int) *Type {
	if p.top != nil && depth == p.topDepth {
		return p.top
	}
	return nil
}

func (p *printer) compositeName(t reflect.Type, depth int) string {
	if top := p.topAt(depth); top != nil && top.Name != "" {
		return top.Name
	}
	return p.typeString(t)
}

func (p *printer) sep() {
	if p.f.sharpV {
		p.write(", ")
	} else {
		p.buf = append(p.buf, ' ')
	}
}

// fieldNames are a struct type's field names as its source spells them.
func (p *printer) fieldNames(t reflect.Type) []string {
	if d := p.describe(t); d != nil && len(d.Fields) == t.NumField() {
		return d.Fields
	}
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return names
}

func isExported(name string) bool {
	r, _ := utf8.DecodeRuneInString(name)
	return unicode.IsUpper(r)
}

// fmtPointer is fmt's fmtPointer, with the pointer's type spelled here.
func (p *printer) fmtPointer(v reflect.Value, verb rune) {
	switch v.Kind() {
	case reflect.Chan, reflect.Func, reflect.Map, reflect.Pointer, reflect.Slice, reflect.UnsafePointer:
	default:
		p.badVerb(v, verb)
		return
	}
	u := v.UnsafePointer()
	// fmt0x64: the address in hex, with 0x when lead says.
	hex := func(lead bool) {
		f := p.f
		f.sharp, f.sharpV, f.plus, f.plusV = lead, false, false, false
		p.buf = fmt.Appendf(p.buf, directive(f, 'x'), uint64(uintptr(u)))
	}
	switch verb {
	case 'v':
		switch {
		case p.f.sharpV:
			p.write("(" + p.typeString(v.Type()) + ")(")
			if u == nil {
				p.write("nil")
			} else {
				hex(true)
			}
			p.buf = append(p.buf, ')')
		case u == nil:
			p.delegate(nil, 'v') // padded <nil>
		default:
			hex(!p.f.sharp)
		}
	case 'p':
		hex(!p.f.sharp)
	case 'b', 'o', 'd', 'x', 'X':
		p.delegate(uint64(uintptr(u)), verb)
	default:
		p.badVerb(v, verb)
	}
}

// delegateAt has fmt print v as it would at depth: at depth 0 as an
// operand; deeper, as the field of a struct, which fmt prints at depth 1,
// exported or not as canIface says, so that fmt calls its methods exactly
// when it would have.
func (p *printer) delegateAt(v reflect.Value, verb rune, depth int, canIface bool) {
	if !v.IsValid() {
		if depth == 0 {
			p.write("<invalid reflect.Value>")
		} else if verb == 'v' {
			p.write("<nil>")
		} else {
			p.badVerb(v, verb)
		}
		return
	}
	if unspellable(verb) {
		p.badVerb(v, verb) // a leaf; printValue gave Formatters their verb
		return
	}
	if !p.spellable(verb) {
		verb = leafVerb(v.Kind())
	}
	if p.erroring {
		// fmt prints a bad verb's operand without methods: as an
		// unexported field, which fmt prints at depth 1.
		canIface = false
		if depth == 0 {
			if v.Kind() == reflect.Pointer && !v.IsNil() {
				switch v.Elem().Kind() {
				case reflect.Array, reflect.Slice, reflect.Struct, reflect.Map:
					p.buf = append(p.buf, '&')
					v = v.Elem()
				}
			}
			depth = 1
		}
	}
	v = interfaceable(v)
	if !v.CanInterface() {
		p.delegate(v, verb) // fmt prints a reflect.Value without its methods
		return
	}
	if depth == 0 || isBasic(v.Kind()) && v.Type().NumMethod() == 0 {
		// A basic value without methods prints alike at every depth.
		p.delegate(v.Interface(), verb)
		return
	}
	ht := holder(v.Type(), canIface)
	h := reflect.New(ht).Elem()
	hf := h.Field(0)
	reflect.NewAt(hf.Type(), unsafe.Pointer(hf.UnsafeAddr())).Elem().Set(v)
	s := fmt.Sprintf(p.directive(verb), h.Interface())
	prefix := "{"
	switch {
	case p.f.sharpV:
		prefix = ht.String() + "{" + ht.Field(0).Name + ":"
	case p.f.plusV:
		prefix = "{" + ht.Field(0).Name + ":"
	}
	if strings.HasPrefix(s, prefix) && strings.HasSuffix(s, "}") {
		s = s[len(prefix) : len(s)-1]
	}
	p.write(s)
}

// unspellable tells whether a directive ending in verb cannot be written
// for fmt to read again: the verb would read as a flag, width, precision or
// index. fmt accepts such a verb only from a Formatter.
func unspellable(verb rune) bool {
	switch verb {
	case '#', '0', '+', '-', ' ', '.', '[', '*', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// spellable tells whether directive can spell the current flags with verb
// for fmt: %v with '+' or '#' means field names and Go syntax to fmt, but a
// bad verb's operand is printed with %v and the flags as they were.
func (p *printer) spellable(verb rune) bool {
	if unspellable(verb) {
		return false
	}
	return verb != 'v' || (p.f.plus == p.f.plusV || !p.f.plus) && (p.f.sharp == p.f.sharpV || !p.f.sharp)
}

// leafVerb is the verb fmt's printValue uses for %v of a basic kind.
func leafVerb(k reflect.Kind) rune {
	switch k {
	case reflect.Bool:
		return 't'
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return 'g'
	case reflect.String:
		return 's'
	}
	return 'd'
}

func isBasic(k reflect.Kind) bool {
	return reflect.Bool <= k && k <= reflect.Complex128 || k == reflect.String
}

// interfaceable returns v, or a view of it that reflection lets us read
// when v was reached through a compiled type's unexported field.
func interfaceable(v reflect.Value) reflect.Value {
	if !v.CanInterface() && v.CanAddr() {
		return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	}
	return v
}

var holders sync.Map // holderKey → reflect.Type

type holderKey struct {
	t        reflect.Type
	exported bool
}

// holder is struct{ F T } (exported) or struct{ f T }.
func holder(t reflect.Type, exported bool) reflect.Type {
	k := holderKey{t, exported}
	if h, ok := holders.Load(k); ok {
		return h.(reflect.Type)
	}
	f := reflect.StructField{Name: "F", Type: t}
	if !exported {
		f = reflect.StructField{Name: "f", PkgPath: "gomp/typefmt", Type: t}
	}
	h := reflect.StructOf([]reflect.StructField{f})
	holders.Store(k, h)
	return h
}

// needs tells whether printing v at depth involves a described type; if not,
// fmt prints it.
func (p *printer) needs(v reflect.Value, depth int) bool {
	if !v.IsValid() {
		return false
	}
	t := v.Type()
	if p.typeNeeds(t, nil) {
		return true
	}
	if !p.mayHold(t, nil) && !(depth == 0 && t.Kind() == reflect.Pointer) {
		return false
	}
	switch v.Kind() {
	case reflect.Interface:
		return !v.IsNil() && p.needs(v.Elem(), depth+1)
	case reflect.Pointer:
		return depth == 0 && !v.IsNil() && p.needs(v.Elem(), 1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if p.needs(v.Field(i), depth+1) {
				return true
			}
		}
	case reflect.Array, reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if p.needs(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if p.needs(it.Key(), depth+1) || p.needs(it.Value(), depth+1) {
				return true
			}
		}
	}
	return false
}

// typeNeeds tells whether t is, or is spelled with, a described type.
func (p *printer) typeNeeds(t reflect.Type, seen map[reflect.Type]bool) bool {
	if p.describe(t) != nil {
		return true
	}
	if t.Name() != "" || seen[t] {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan, reflect.Map, reflect.Struct, reflect.Func:
	default:
		return false
	}
	if seen == nil {
		seen = map[reflect.Type]bool{}
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		return p.typeNeeds(t.Elem(), seen)
	case reflect.Map:
		return p.typeNeeds(t.Key(), seen) || p.typeNeeds(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if p.typeNeeds(t.Field(i).Type, seen) {
				return true
			}
		}
	case reflect.Func:
		for i := 0; i < t.NumIn(); i++ {
			if p.typeNeeds(t.In(i), seen) {
				return true
			}
		}
		for i := 0; i < t.NumOut(); i++ {
			if p.typeNeeds(t.Out(i), seen) {
				return true
			}
		}
	}
	return false
}

// mayHold tells whether a value of t can hold, where fmt prints it, an
// interface whose dynamic value might be of a described type.
func (p *printer) mayHold(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
	default:
		return false
	}
	if seen[t] {
		return false
	}
	if seen == nil {
		seen = map[reflect.Type]bool{}
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return p.mayHold(t.Elem(), seen)
	case reflect.Map:
		return p.mayHold(t.Key(), seen) || p.mayHold(t.Elem(), seen)
	default:
		for i := 0; i < t.NumField(); i++ {
			if p.mayHold(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// typeString spells t as reflect's Type.String does, with described names.
func (p *printer) typeString(t reflect.Type) string {
	if d := p.describe(t); d != nil && d.Name != "" {
		return d.Name
	}
	if !p.typeNeeds(t, nil) {
		return t.String()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + p.typeString(t.Elem())
	case reflect.Slice:
		return "[]" + p.typeString(t.Elem())
	case reflect.Array:
		return "[" + strconv.Itoa(t.Len()) + "]" + p.typeString(t.Elem())
	case reflect.Map:
		return "map[" + p.typeString(t.Key()) + "]" + p.typeString(t.Elem())
	case reflect.Chan:
		e := p.typeString(t.Elem())
		switch t.ChanDir() {
		case reflect.RecvDir:
			return "<-chan " + e
		case reflect.SendDir:
			return "chan<- " + e
		}
		if t.Elem().Kind() == reflect.Chan && t.Elem().ChanDir() == reflect.RecvDir {
			return "chan (" + e + ")"
		}
		return "chan " + e
	case reflect.Func:
		var b strings.Builder
		b.WriteString("func(")
		for i := 0; i < t.NumIn(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			if t.IsVariadic() && i == t.NumIn()-1 {
				b.WriteString("..." + p.typeString(t.In(i).Elem()))
			} else {
				b.WriteString(p.typeString(t.In(i)))
			}
		}
		b.WriteString(")")
		switch t.NumOut() {
		case 0:
		case 1:
			b.WriteString(" " + p.typeString(t.Out(0)))
		default:
			b.WriteString(" (")
			for i := 0; i < t.NumOut(); i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(p.typeString(t.Out(i)))
			}
			b.WriteString(")")
		}
		return b.String()
	case reflect.Struct:
		if t.NumField() == 0 {
			return "struct {}"
		}
		var b strings.Builder
		b.WriteString("struct {")
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if i > 0 {
				b.WriteString(";")
			}
			b.WriteString(" ")
			if !f.Anonymous {
				b.WriteString(f.Name + " ")
			}
			b.WriteString(p.typeString(f.Type))
			if f.Tag != "" {
				b.WriteString(" " + strconv.Quote(string(f.Tag)))
			}
		}
		b.WriteString(" }")
		return b.String()
	}
	return t.String()
}

// state is the fmt.State a described Format method writes to.
type state struct{ p *printer }

func (s *state) Write(b []byte) (int, error) {
	s.p.buf = append(s.p.buf, b...)
	return len(b), nil
}

func (s *state) WriteString(str string) (int, error) {
	s.p.write(str)
	return len(str), nil
}

func (s *state) Width() (int, bool)     { return s.p.f.wid, s.p.f.widPresent }
func (s *state) Precision() (int, bool) { return s.p.f.prec, s.p.f.precPresent }

func (s *state) Flag(c int) bool {
	f := s.p.f
	switch c {
	case '-':
		return f.minus
	case '+':
		return f.plus || f.plusV
	case '#':
		return f.sharp || f.sharpV
	case ' ':
		return f.space
	case '0':
		return f.zero
	}
	return false
}
