package codec

import (
	"fmt"
	"reflect"
	"sync"
)

// A decoder function reads a value of one shape into a settable value of
// the receiver's type. They are built per (type, shape) pair and cached:
// when the sender's type and the receiver's agree, the builder's checks are
// paid once, and when they differ (a struct redeclared in the notebook after
// the child started), fields are matched by name.
type decFunc func(d *decoder, v reflect.Value) error

type planKey struct {
	t reflect.Type
	s *shapeInfo
}

type planResult struct {
	dec decFunc
	err error
}

var planCacheDec struct {
	sync.RWMutex
	m map[planKey]planResult
}

func decPlanFor(t reflect.Type, s *shapeInfo, name string) (decFunc, error) {
	key := planKey{t, s}
	planCacheDec.RLock()
	r, ok := planCacheDec.m[key]
	planCacheDec.RUnlock()
	if ok {
		return r.dec, r.err
	}
	b := &planBuilder{name: typeName(name, t), memo: map[builderKey]*decFunc{}}
	r.dec, r.err = b.build(s.root, t, "")
	if !s.cached {
		return r.dec, r.err
	}
	planCacheDec.Lock()
	defer planCacheDec.Unlock()
	if planCacheDec.m == nil {
		planCacheDec.m = make(map[planKey]planResult)
	}
	if len(planCacheDec.m) < maxCached {
		planCacheDec.m[key] = r
	}
	return r.dec, r.err
}

type planBuilder struct {
	name string // the type's name as sent, for errors
	memo map[builderKey]*decFunc
}

type builderKey struct {
	s *shapeNode
	t reflect.Type
}

func (b *planBuilder) mismatch(path string, format string, args ...any) error {
	return &TypeError{Type: b.name, Path: path, Msg: fmt.Sprintf(format, args...)}
}

func (b *planBuilder) build(s *shapeNode, t reflect.Type, path string) (decFunc, error) {
	key := builderKey{s, t}
	if fp, ok := b.memo[key]; ok {
		if *fp != nil {
			return *fp, nil
		}
		return func(d *decoder, v reflect.Value) error { return (*fp)(d, v) }, nil
	}
	fp := new(decFunc)
	b.memo[key] = fp
	fn, err := b.buildNew(s, t, path)
	*fp = fn
	return fn, err
}

func (b *planBuilder) buildNew(s *shapeNode, t reflect.Type, path string) (decFunc, error) {
	switch {
	case s.kind == kZero:
		return decNothing, nil
	case s.kind == kShared:
		return decShared(t), nil
	case isShared(t):
		return nil, b.mismatch(path, "a copied value was sent where this process has a shared object (%s)", t)
	case s.kind == kIface && isBox(t):
		return decBoxSlot(t), nil
	case s.kind == kIface:
		if t.Kind() != reflect.Interface {
			return nil, b.mismatch(path, "an interface value was sent where this process has %s", t)
		}
		return decIfaceSlot(t), nil
	case s.kind == kBinary || s.kind == kGob:
		if marshalKind(t) != s.kind {
			return nil, b.mismatch(path, "a self-marshaled value was sent where this process has %s", t)
		}
		return decMarshal(t, s.kind), nil
	case marshalKind(t) != 0:
		return nil, b.mismatch(path, "this process's %s decodes itself, but was sent as a plain value", t)
	case isBox(t):
		return nil, b.mismatch(path, "a concrete value was sent where this process has an interface value")
	}
	if s.kind >= kBool && s.kind <= kString {
		return b.basic(s.kind, t, path)
	}
	switch s.kind {
	case kBytes:
		if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
			return nil, b.mismatch(path, "a []byte was sent where this process has %s", t)
		}
		return decBytes, nil
	case kSlice:
		if t.Kind() != reflect.Slice {
			return nil, b.mismatch(path, "a slice was sent where this process has %s", t)
		}
		elem, err := b.build(s.elem, t.Elem(), path+"[i]")
		if err != nil {
			return nil, err
		}
		return decSlice(t, s.elem, elem), nil
	case kArray:
		if t.Kind() != reflect.Array || t.Len() != s.n {
			return nil, b.mismatch(path, "a [%d] array was sent where this process has %s", s.n, t)
		}
		elem, err := b.build(s.elem, t.Elem(), path+"[i]")
		if err != nil {
			return nil, err
		}
		return decArray(s.elem, elem), nil
	case kMap:
		if t.Kind() != reflect.Map {
			return nil, b.mismatch(path, "a map was sent where this process has %s", t)
		}
		key, err := b.build(s.key, t.Key(), path+"{key}")
		if err != nil {
			return nil, err
		}
		elem, err := b.build(s.elem, t.Elem(), path+"[key]")
		if err != nil {
			return nil, err
		}
		return decMap(t, s, key, elem), nil
	case kPtr:
		if t.Kind() != reflect.Pointer {
			return nil, b.mismatch(path, "a pointer was sent where this process has %s", t)
		}
		elem, err := b.build(s.elem, t.Elem(), path)
		if err != nil {
			return nil, err
		}
		return decPtr(t, elem), nil
	case kStruct:
		return b.structDec(s, t, path)
	}
	return nil, corrupt("unknown kind %d in shape", s.kind)
}

// structDec matches the sent fields to the receiver's by name: in order
// when the declarations agree; otherwise fields the receiver lacks are read
// and dropped, and fields the sender lacked keep their zero value.
func (b *planBuilder) structDec(s *shapeNode, t reflect.Type, path string) (decFunc, error) {
	if t.Kind() != reflect.Struct {
		return nil, b.mismatch(path, "a struct was sent where this process has %s", t)
	}
	index := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			index[f.Name] = i
		}
	}
	fields := make([]fieldDec, len(s.fields))
	for i, f := range s.fields {
		j, ok := index[f.name]
		if !ok {
			fields[i] = fieldDec{index: -1, skip: f.s}
			continue
		}
		delete(index, f.name) // a field sent twice is read into it once
		fn, err := b.build(f.s, t.Field(j).Type, path+"."+f.name)
		if err != nil {
			return nil, err
		}
		fields[i] = fieldDec{index: j, dec: fn}
	}
	return decStruct(fields), nil
}

// basic decodes numbers, bools and strings: the same kind, or a kind of the
// same family (int64 into int) with a range check, so a field whose type
// was widened or narrowed in between still arrives.
func (b *planBuilder) basic(k byte, t reflect.Type, path string) (decFunc, error) {
	want := basicTypes[k].Kind()
	got := t.Kind()
	if family(want) != family(got) {
		return nil, b.mismatch(path, "%s was sent where this process has %s", basicTypes[k], t)
	}
	if want == got {
		return basicDecs[k], nil
	}
	read := basicDecs[k]
	tmp := basicTypes[k]
	return func(d *decoder, v reflect.Value) error {
		x := reflect.New(tmp).Elem()
		if err := read(d, x); err != nil {
			return err
		}
		switch family(got) {
		case reflect.Int:
			if v.OverflowInt(x.Int()) {
				return &TypeError{Type: t.String(), Msg: fmt.Sprintf("%d overflows it", x.Int())}
			}
			v.SetInt(x.Int())
		case reflect.Uint:
			if v.OverflowUint(x.Uint()) {
				return &TypeError{Type: t.String(), Msg: fmt.Sprintf("%d overflows it", x.Uint())}
			}
			v.SetUint(x.Uint())
		case reflect.Float64:
			v.SetFloat(x.Float())
		case reflect.Complex128:
			v.SetComplex(x.Complex())
		}
		return nil
	}, nil
}

func family(k reflect.Kind) reflect.Kind {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return reflect.Int
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return reflect.Uint
	case reflect.Float32, reflect.Float64:
		return reflect.Float64
	case reflect.Complex64, reflect.Complex128:
		return reflect.Complex128
	}
	return k
}
