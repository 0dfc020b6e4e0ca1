package codec

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
)

// The decoders of each kind; v is settable and of the receiver's type.

var basicDecs = [kBytes + 1]decFunc{
	kBool: func(d *decoder, v reflect.Value) error {
		b, err := d.byte()
		if err == nil && b > 1 {
			err = corrupt("bool byte %d", b)
		}
		v.SetBool(b == 1)
		return err
	},
	kInt: decInt, kInt16: decInt, kInt32: decInt, kInt64: decInt,
	kInt8: func(d *decoder, v reflect.Value) error {
		b, err := d.byte()
		v.SetInt(int64(int8(b)))
		return err
	},
	kUint: decUint, kUint16: decUint, kUint32: decUint, kUint64: decUint, kUintptr: decUint,
	kUint8: func(d *decoder, v reflect.Value) error {
		b, err := d.byte()
		v.SetUint(uint64(b))
		return err
	},
	kFloat32: func(d *decoder, v reflect.Value) error {
		b, err := d.next(4)
		if err == nil {
			v.SetFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))))
		}
		return err
	},
	kFloat64: func(d *decoder, v reflect.Value) error {
		b, err := d.next(8)
		if err == nil {
			v.SetFloat(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
		return err
	},
	kComplex64: func(d *decoder, v reflect.Value) error {
		b, err := d.next(8)
		if err == nil {
			re := math.Float32frombits(binary.LittleEndian.Uint32(b))
			im := math.Float32frombits(binary.LittleEndian.Uint32(b[4:]))
			v.SetComplex(complex(float64(re), float64(im)))
		}
		return err
	},
	kComplex128: func(d *decoder, v reflect.Value) error {
		b, err := d.next(16)
		if err == nil {
			re := math.Float64frombits(binary.LittleEndian.Uint64(b))
			im := math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
			v.SetComplex(complex(re, im))
		}
		return err
	},
	kString: func(d *decoder, v reflect.Value) error {
		s, err := d.string()
		v.SetString(s)
		return err
	},
	kBytes: decBytes,
}

// decInt reads a signed integer, checking it fits v (an int32 field filled
// with an int64 from a corrupt message must fail, not wrap around).
func decInt(d *decoder, v reflect.Value) error {
	x, err := d.varint()
	if err != nil {
		return err
	}
	if v.OverflowInt(x) {
		return corrupt("%d overflows %s", x, v.Type())
	}
	v.SetInt(x)
	return nil
}

func decUint(d *decoder, v reflect.Value) error {
	x, err := d.uvarint()
	if err != nil {
		return err
	}
	if v.OverflowUint(x) {
		return corrupt("%d overflows %s", x, v.Type())
	}
	v.SetUint(x)
	return nil
}

func decNothing(*decoder, reflect.Value) error { return nil }

func decBytes(d *decoder, v reflect.Value) error {
	n, err := d.uvarint()
	if err != nil || n == 0 {
		v.SetZero()
		return err
	}
	b, err := d.next(n - 1)
	if err != nil {
		return err
	}
	if err := d.spend(uintptr(len(b))); err != nil {
		return err
	}
	v.SetBytes(append(make([]byte, 0, len(b)), b...))
	return nil
}

func decSlice(t reflect.Type, es *shapeNode, elem decFunc) decFunc {
	if fast := fastSliceDecoder(t, es); fast != nil {
		return fast
	}
	size := t.Elem().Size()
	return func(d *decoder, v reflect.Value) error {
		n, err := d.uvarint()
		if err != nil || n == 0 {
			v.SetZero()
			return err
		}
		n--
		if err := d.count(n, es.min, size); err != nil {
			return err
		}
		if err := d.enter(); err != nil {
			return err
		}
		s := reflect.MakeSlice(t, int(n), int(n))
		if es.min > 0 { // elements of no bytes are all zero values
			for i := range int(n) {
				if err := elem(d, s.Index(i)); err != nil {
					return err
				}
			}
		}
		d.depth--
		v.Set(s)
		return nil
	}
}

func decArray(es *shapeNode, elem decFunc) decFunc {
	return func(d *decoder, v reflect.Value) error {
		if es.min == 0 { // elements of no bytes are all zero values
			return nil
		}
		for i := range v.Len() {
			if err := elem(d, v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}
}

func decMap(t reflect.Type, s *shapeNode, key, elem decFunc) decFunc {
	entryMin := s.key.min + s.elem.min
	size := t.Key().Size() + t.Elem().Size()
	checkKey := !comparableKind(t.Key())
	return func(d *decoder, v reflect.Value) error {
		tag, err := d.uvarint()
		if err != nil {
			return err
		}
		switch {
		case tag == refNil:
			v.SetZero()
			return nil
		case tag >= refOld:
			m, err := d.ref(tag-refOld, t)
			if err == nil {
				v.Set(m)
			}
			return err
		}
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		if entryMin == 0 && n > 1 {
			return corrupt("%d entries of a map whose keys are all alike", n)
		}
		if err := d.count(n, entryMin, size); err != nil {
			return err
		}
		if err := d.enter(); err != nil {
			return err
		}
		m := reflect.MakeMapWithSize(t, int(n))
		d.refs = append(d.refs, m)
		v.Set(m) // before the entries: they may refer back to the map
		kv, ev := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		for range n {
			kv.SetZero()
			ev.SetZero()
			if err := key(d, kv); err != nil {
				return err
			}
			if checkKey && !kv.Comparable() {
				return corrupt("map key of type %s is not comparable", kv.Elem().Type())
			}
			if err := elem(d, ev); err != nil {
				return err
			}
			m.SetMapIndex(kv, ev)
		}
		d.depth--
		return nil
	}
}

// comparableKind tells key types whose values are all comparable (no
// interface inside whose dynamic value might be a slice).
func comparableKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return false
	case reflect.Array:
		return comparableKind(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !comparableKind(t.Field(i).Type) {
				return false
			}
		}
	}
	return true
}

func decPtr(t reflect.Type, elem decFunc) decFunc {
	et := t.Elem()
	return func(d *decoder, v reflect.Value) error {
		tag, err := d.uvarint()
		if err != nil {
			return err
		}
		switch {
		case tag == refNil:
			v.SetZero()
			return nil
		case tag >= refOld:
			p, err := d.ref(tag-refOld, t)
			if err == nil {
				v.Set(p)
			}
			return err
		}
		if err := d.spend(et.Size()); err != nil {
			return err
		}
		if err := d.enter(); err != nil {
			return err
		}
		p := reflect.New(et)
		d.refs = append(d.refs, p)
		v.Set(p)
		if err := elem(d, p.Elem()); err != nil {
			return err
		}
		d.depth--
		return nil
	}
}

type fieldDec struct {
	index int // of the receiver's field; -1: the receiver lacks it
	dec   decFunc
	skip  *shapeNode
}

func decStruct(fields []fieldDec) decFunc {
	return func(d *decoder, v reflect.Value) error {
		for _, f := range fields {
			var err error
			if f.index < 0 {
				err = d.skip(f.skip)
			} else {
				err = f.dec(d, v.Field(f.index))
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
}

func decIfaceSlot(t reflect.Type) decFunc {
	return func(d *decoder, v reflect.Value) error {
		if err := d.enter(); err != nil {
			return err
		}
		x, boxed, name, err := d.dynamic()
		if err != nil {
			return err
		}
		d.depth--
		if !x.IsValid() {
			v.SetZero()
			return nil
		}
		if boxed && t == anyType {
			if x, err = d.rebox(x, name); err != nil {
				return err
			}
		}
		if !x.Type().AssignableTo(t) {
			return &TypeError{Type: typeName(name, x.Type()), Msg: fmt.Sprintf("it does not implement %s here", t)}
		}
		v.Set(x)
		return nil
	}
}

// decBoxSlot fills a field of a cell-declared interface type: the
// interpreter's box, made by the resolver.
func decBoxSlot(t reflect.Type) decFunc {
	return func(d *decoder, v reflect.Value) error {
		if err := d.enter(); err != nil {
			return err
		}
		x, _, name, err := d.dynamic()
		if err != nil {
			return err
		}
		d.depth--
		if !x.IsValid() {
			v.SetZero()
			return nil
		}
		boxer, ok := d.opts.Resolver.(InterfaceBoxer)
		if !ok {
			return &TypeError{Type: typeName(name, x.Type()), Msg: "a value of an interface type declared in a cell needs an InterfaceBoxer"}
		}
		b, err := boxer.BoxInterface(x, name)
		if err != nil {
			return &TypeError{Type: typeName(name, x.Type()), Msg: err.Error()}
		}
		if !b.IsValid() || b.Type() != t {
			return &TypeError{Type: typeName(name, x.Type()), Msg: "the InterfaceBoxer gave no interpreter box"}
		}
		v.Set(b)
		return nil
	}
}

func decShared(t reflect.Type) decFunc {
	return func(d *decoder, v reflect.Value) error {
		x, err := d.shared()
		if err != nil {
			return err
		}
		switch {
		case !x.IsValid():
			v.SetZero()
		case x.Type().AssignableTo(t):
			v.Set(x)
		case x.Kind() == reflect.Pointer && x.Type().Elem() == t && !x.IsNil():
			v.Set(x.Elem())
		default:
			return &TypeError{Type: t.String(), Msg: fmt.Sprintf("the shared object is a %s here", x.Type())}
		}
		return nil
	}
}

func decMarshal(t reflect.Type, kind byte) decFunc {
	return func(d *decoder, v reflect.Value) error {
		b, err := d.bytes()
		if err != nil {
			return err
		}
		if err := d.spend(t.Size() + uintptr(len(b))); err != nil {
			return err
		}
		p := reflect.New(t)
		if kind == kBinary {
			err = p.Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(b)
		} else {
			err = p.Interface().(gobDecoder).GobDecode(b)
		}
		if err != nil {
			return &TypeError{Type: t.String(), Msg: err.Error()}
		}
		v.Set(p.Elem())
		return nil
	}
}
