package codec

import (
	"reflect"
	"sync"
)

// An encPlan is how values of one type are encoded, compiled once per type
// (per mode) and cached: the encoder function, and the type's shape as the
// receiver reads it.
type encPlan struct {
	enc      encFunc
	shape    []byte    // length-prefixed, ready to append to a type table entry
	err      *problem  // the type cannot be copied at all
	zeroed   []problem // lenient: parts that are not sent
	selfDesc bool      // made of predeclared types: needs no name
	rebuild  bool      // the receiver can build the type from its shape
}

type encFunc func(e *encoder, v reflect.Value) error

// A problem is a part of a type that cannot be copied: at path inside it,
// of type t.
type problem struct {
	path string
	t    reflect.Type
	why  string
}

var planCache [2]sync.Map // [lenient] reflect.Type → *encPlan

func planFor(t reflect.Type, lenient bool) *encPlan {
	mode := 0
	if lenient {
		mode = 1
	}
	if p, ok := planCache[mode].Load(t); ok {
		return p.(*encPlan)
	}
	c := &compiler{lenient: lenient, seen: map[reflect.Type]*compiled{}}
	fn, prob := c.compile(t, "")
	p := &encPlan{enc: fn, err: prob, zeroed: c.zeroed}
	if prob == nil {
		p.shape = append(appendUvarint(nil, uint64(len(c.shape))), c.shape...)
		p.selfDesc = selfDescribing(t)
		p.rebuild = len(c.zeroed) == 0 && rebuildable(t, map[reflect.Type]bool{})
	}
	actual, _ := planCache[mode].LoadOrStore(t, p)
	return actual.(*encPlan)
}

// The compiler walks a type once, writing its shape and building its
// encoder. Types met again (recursive types, or the same struct twice) get a
// back-reference in the shape and share their encoder.
type compiler struct {
	lenient bool
	shape   []byte
	nodes   uint64
	seen    map[reflect.Type]*compiled
	zeroed  []problem
}

type compiled struct {
	node uint64
	fn   encFunc // nil while the type is being compiled
}

func (c *compiler) compile(t reflect.Type, path string) (encFunc, *problem) {
	if s, ok := c.seen[t]; ok {
		c.shape = appendUvarint(append(c.shape, kBackref), s.node)
		if s.fn != nil {
			return s.fn, nil
		}
		return func(e *encoder, v reflect.Value) error { return s.fn(e, v) }, nil
	}
	s := &compiled{node: c.nodes}
	c.nodes++
	c.seen[t] = s
	fn, prob := c.compileNew(t, path)
	s.fn = fn
	return fn, prob
}

// cannot handles a part that cannot be copied: a failure of the whole plan,
// except inside a value in lenient mode, where the part is left out.
func (c *compiler) cannot(t reflect.Type, path, why string) (encFunc, *problem) {
	if !c.lenient || path == "" {
		return nil, &problem{path, t, why}
	}
	c.shape = append(c.shape, kZero)
	c.zeroed = append(c.zeroed, problem{path, t, why})
	return encNothing, nil
}

func (c *compiler) compileNew(t reflect.Type, path string) (encFunc, *problem) {
	switch {
	case isShared(t):
		c.shape = append(c.shape, kShared)
		return encShared, nil
	case isBox(t):
		c.shape = append(c.shape, kIface, ifaceOther)
		return encBoxSlot(path), nil
	case zeroOnCopy[t]:
		c.shape = append(c.shape, kZero)
		return encNothing, nil
	case t.Kind() == reflect.Interface:
		sub := byte(ifaceOther)
		switch t {
		case anyType:
			sub = ifaceAny
		case errorType:
			sub = ifaceError
		}
		c.shape = append(c.shape, kIface, sub)
		return encIfaceSlot(path), nil
	}
	if mk := marshalKind(t); mk != 0 {
		c.shape = append(c.shape, mk)
		return encMarshal(t, mk), nil
	}
	if code := kindCode(t.Kind()); code != 0 {
		c.shape = append(c.shape, code)
		return basicEncs[code], nil
	}
	switch t.Kind() {
	case reflect.Slice:
		if et := t.Elem(); et.Kind() == reflect.Uint8 && marshalKind(et) == 0 && !isShared(et) {
			c.shape = append(c.shape, kBytes)
			return encBytes, nil
		}
		c.shape = append(c.shape, kSlice)
		elem, prob := c.compile(t.Elem(), path+"[i]")
		if prob != nil {
			return nil, prob
		}
		return encSlice(t.Elem(), elem), nil
	case reflect.Array:
		c.shape = appendUvarint(append(c.shape, kArray), uint64(t.Len()))
		elem, prob := c.compile(t.Elem(), path+"[i]")
		if prob != nil {
			return nil, prob
		}
		return encArray(elem), nil
	case reflect.Map:
		c.shape = append(c.shape, kMap)
		key, prob := c.compile(t.Key(), path+"{key}")
		if prob != nil {
			return nil, prob
		}
		elem, prob := c.compile(t.Elem(), path+"[key]")
		if prob != nil {
			return nil, prob
		}
		return encMap(t, key, elem), nil
	case reflect.Pointer:
		c.shape = append(c.shape, kPtr)
		elem, prob := c.compile(t.Elem(), path)
		if prob != nil {
			return nil, prob
		}
		return encPtr(t, elem), nil
	case reflect.Struct:
		return c.compileStruct(t, path)
	case reflect.Chan:
		return c.cannot(t, path, whyChan)
	case reflect.Func:
		return c.cannot(t, path, whyFunc)
	}
	return c.cannot(t, path, whyUnsafe)
}

func (c *compiler) compileStruct(t reflect.Type, path string) (encFunc, *problem) {
	n := 0
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == "_" {
			continue // blank fields hold nothing worth sending
		}
		if !f.IsExported() {
			// Compiled types only: the interpreter exports every field of
			// the types cells declare. Without unsafe we could not set the
			// field on the other side, and with it we would break the
			// type's invariants (a copied sync.WaitGroup, an os.File).
			return c.cannot(t, path, whyHidden)
		}
		n++
	}
	c.shape = appendUvarint(append(c.shape, kStruct), uint64(n))
	var fields []fieldEnc
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == "_" {
			continue
		}
		c.shape = appendString(appendString(c.shape, f.Name), string(f.Tag))
		before := len(c.shape)
		fn, prob := c.compile(f.Type, path+"."+f.Name)
		if prob != nil {
			return nil, prob
		}
		if zeroed := len(c.shape) == before+1 && c.shape[before] == kZero; !zeroed {
			fields = append(fields, fieldEnc{i, fn})
		}
	}
	return encStruct(fields), nil
}
