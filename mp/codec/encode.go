package codec

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// An encoder is the state of one message being written. Encoders are pooled:
// a message of one int costs no allocation beyond its bytes.
type encoder struct {
	buf   []byte
	opts  EncodeOptions
	index int // of the value being written, among the message's values

	types    []tableEntry // the message's type table, in order
	typeMap  map[reflect.Type]int
	refs     map[refKey]uint64 // pointers and maps already sent
	depth    int
	slots    []string     // paths of the interface slots we are inside
	top      reflect.Type // the type of the value being written, for errors
	reported []string     // lenient: zeroed parts already reported
}

type tableEntry struct {
	t    reflect.Type
	plan *encPlan
}

// refKey identifies an object: a pointer to a struct and a pointer to its
// first field share an address, not a type.
type refKey struct {
	p uintptr
	t reflect.Type
}

var encoders = sync.Pool{New: func() any { return new(encoder) }}

func appendValues(dst []byte, vs []reflect.Value, single any, opts EncodeOptions) (out []byte, err error) {
	e := encoders.Get().(*encoder)
	e.opts = opts
	if dst == nil {
		dst = make([]byte, 0, 64)
	}
	e.buf = append(dst, magic)
	defer func() {
		// The values' own methods run here (MarshalBinary, SharedRef,
		// Error): a panic of theirs is the sender's error, not a crash.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("mp: cannot send a value of type %s: panic: %v", e.describe(e.top), r)
		}
		e.reset()
		encoders.Put(e)
	}()
	if vs == nil {
		e.buf = append(e.buf, 1)
		if err := e.value(reflect.ValueOf(single)); err != nil {
			return nil, err
		}
		return e.buf, nil
	}
	e.buf = appendUvarint(e.buf, uint64(len(vs)))
	for i, v := range vs {
		e.index = i
		if err := e.value(v); err != nil {
			return nil, err
		}
	}
	return e.buf, nil
}

func (e *encoder) reset() {
	e.buf, e.opts, e.index, e.top, e.depth = nil, EncodeOptions{}, 0, nil, 0
	clear(e.types)
	e.types = e.types[:0]
	e.typeMap = nil
	if e.refs != nil {
		clear(e.refs)
	}
	e.slots = e.slots[:0]
	e.reported = e.reported[:0]
}

// value writes one of the message's values.
func (e *encoder) value(v reflect.Value) error {
	e.top = nil
	e.slots = e.slots[:0]
	return e.dynamic(v)
}

// inSlot writes the dynamic value of an interface slot at path.
func (e *encoder) inSlot(path string, v reflect.Value) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.slots = append(e.slots, path)
	err := e.dynamic(v)
	e.slots = e.slots[:len(e.slots)-1]
	e.depth--
	return err
}

// dynamic writes a type reference and a value of that type: a value of the
// message, or the dynamic value of an interface.
func (e *encoder) dynamic(v reflect.Value) error {
	mark := len(e.buf)
	boxed := false
	for v.IsValid() {
		if v.Kind() == reflect.Interface {
			v = v.Elem()
		} else if isBox(v.Type()) {
			inner, ok := unbox(v)
			if !ok {
				return e.cannot(v, &problem{t: v.Type(), why: whyBox})
			}
			v, boxed = inner, true
		} else {
			break
		}
	}
	if !v.IsValid() {
		e.buf = append(e.buf, kNil)
		return nil
	}
	t := v.Type()
	if e.top == nil {
		e.top = t
	}
	if boxed {
		e.buf = append(e.buf, kBoxed)
	}
	if c := predeclaredCode(t); c != 0 {
		e.buf = append(e.buf, c)
		return basicEncs[c](e, v)
	}
	if isShared(t) {
		e.buf = append(e.buf, kShared)
		return encShared(e, v)
	}
	plan, prob := e.typeRef(t)
	if prob != nil {
		e.buf = e.buf[:mark]
		return e.cannot(v, prob)
	}
	if len(plan.zeroed) > 0 {
		e.reportZeroed(plan.zeroed)
	}
	return plan.enc(e, v)
}

// typeRef writes the reference to t in the message's type table, adding t
// (its name and shape) on first use.
func (e *encoder) typeRef(t reflect.Type) (*encPlan, *problem) {
	if e.typeMap != nil {
		if i, ok := e.typeMap[t]; ok {
			e.buf = appendUvarint(e.buf, uint64(firstEntry+i))
			return e.types[i].plan, nil
		}
	} else {
		for i := range e.types {
			if e.types[i].t == t {
				e.buf = appendUvarint(e.buf, uint64(firstEntry+i))
				return e.types[i].plan, nil
			}
		}
	}
	plan := planFor(t, e.opts.Lenient)
	if plan.err != nil {
		return nil, plan.err
	}
	switch name, named := e.name(t, plan); {
	case named:
		e.buf = appendString(append(e.buf, kNewNamed), name)
	case plan.selfDesc || plan.rebuild:
		e.buf = append(e.buf, kNewShape)
	default:
		return nil, &problem{t: t, why: whyUnnamed}
	}
	e.buf = append(e.buf, plan.shape...)
	e.types = append(e.types, tableEntry{t, plan})
	if len(e.types) > 8 {
		if e.typeMap == nil {
			e.typeMap = make(map[reflect.Type]int)
			for i, te := range e.types {
				e.typeMap[te.t] = i
			}
		}
		e.typeMap[t] = len(e.types) - 1
	}
	return plan, nil
}

func (e *encoder) name(t reflect.Type, plan *encPlan) (string, bool) {
	if plan.selfDesc || e.opts.Namer == nil {
		return "", false
	}
	return e.opts.Namer.TypeName(t)
}

// cannot handles a value that cannot be copied: an error, or (lenient) a nil
// in its place. An error value travels as its message instead.
func (e *encoder) cannot(v reflect.Value, prob *problem) error {
	if v.Type().Implements(errorType) && v.CanInterface() {
		if err, ok := v.Interface().(error); ok {
			e.buf = appendString(append(e.buf, kErrString), err.Error())
			return nil
		}
	}
	path := strings.Join(e.slots, "") + prob.path
	if e.opts.Lenient {
		e.buf = append(e.buf, kNil)
		e.report(path, prob.t, prob.why)
		return nil
	}
	top := e.top
	if top == nil {
		top = prob.t
	}
	return &UnsupportedError{Type: e.describe(top), Path: path, Part: e.describe(prob.t), Reason: prob.why}
}

func (e *encoder) reportZeroed(probs []problem) {
	prefix := strings.Join(e.slots, "")
	for _, p := range probs {
		e.report(prefix+p.path, p.t, p.why)
	}
}

func (e *encoder) report(path string, t reflect.Type, why string) {
	if e.opts.Zeroed == nil {
		return
	}
	key := fmt.Sprint(e.index, path)
	for _, r := range e.reported {
		if r == key {
			return
		}
	}
	e.reported = append(e.reported, key)
	e.opts.Zeroed(Zeroed{Index: e.index, Path: path, Type: e.describe(t), Reason: why})
}

// describe writes a type for people: its name if the namer knows it.
func (e *encoder) describe(t reflect.Type) string {
	if t == nil {
		return "<nil>"
	}
	if e.opts.Namer != nil {
		if name, ok := e.opts.Namer.TypeName(t); ok {
			return name
		}
	}
	return t.String()
}

// ref tells whether the object at p (of type t) was sent already in this
// message, and its number; if not, it numbers it.
func (e *encoder) ref(p uintptr, t reflect.Type) (uint64, bool) {
	if e.refs == nil {
		e.refs = make(map[refKey]uint64)
	}
	k := refKey{p, t}
	if id, ok := e.refs[k]; ok {
		return id, true
	}
	e.refs[k] = uint64(len(e.refs))
	return 0, false
}

func (e *encoder) enter() error {
	e.depth++
	if e.depth > maxDepth {
		return &UnsupportedError{Type: e.describe(e.top), Reason: whyTooDeep}
	}
	return nil
}
