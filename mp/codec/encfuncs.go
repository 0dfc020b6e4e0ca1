package codec

import (
	"encoding"
	"fmt"
	"reflect"
)

// The encoders of each kind. v is always a value of the type the encoder was
// compiled for.

var basicEncs = [kBytes + 1]encFunc{
	kBool: func(e *encoder, v reflect.Value) error {
		b := byte(0)
		if v.Bool() {
			b = 1
		}
		e.buf = append(e.buf, b)
		return nil
	},
	kInt: encInt, kInt16: encInt, kInt32: encInt, kInt64: encInt,
	kInt8: func(e *encoder, v reflect.Value) error {
		e.buf = append(e.buf, byte(v.Int()))
		return nil
	},
	kUint: encUint, kUint16: encUint, kUint32: encUint, kUint64: encUint, kUintptr: encUint,
	kUint8: func(e *encoder, v reflect.Value) error {
		e.buf = append(e.buf, byte(v.Uint()))
		return nil
	},
	kFloat32: func(e *encoder, v reflect.Value) error {
		e.buf = appendFloat32(e.buf, float32(v.Float()))
		return nil
	},
	kFloat64: func(e *encoder, v reflect.Value) error {
		e.buf = appendFloat64(e.buf, v.Float())
		return nil
	},
	kComplex64: func(e *encoder, v reflect.Value) error {
		c := v.Complex()
		e.buf = appendFloat32(appendFloat32(e.buf, float32(real(c))), float32(imag(c)))
		return nil
	},
	kComplex128: func(e *encoder, v reflect.Value) error {
		c := v.Complex()
		e.buf = appendFloat64(appendFloat64(e.buf, real(c)), imag(c))
		return nil
	},
	kString: func(e *encoder, v reflect.Value) error {
		e.buf = appendString(e.buf, v.String())
		return nil
	},
	kBytes: encBytes,
}

func encInt(e *encoder, v reflect.Value) error {
	e.buf = appendVarint(e.buf, v.Int())
	return nil
}

func encUint(e *encoder, v reflect.Value) error {
	e.buf = appendUvarint(e.buf, v.Uint())
	return nil
}

func encNothing(*encoder, reflect.Value) error { return nil }

// encBytes writes a byte slice as uvarint(len+1) and the bytes; 0 is nil.
func encBytes(e *encoder, v reflect.Value) error {
	if v.IsNil() {
		e.buf = append(e.buf, 0)
		return nil
	}
	b := v.Bytes()
	e.buf = append(appendUvarint(e.buf, uint64(len(b))+1), b...)
	return nil
}

func encSlice(et reflect.Type, elem encFunc) encFunc {
	if fast := fastSliceEncoder(et); fast != nil {
		return fast
	}
	return func(e *encoder, v reflect.Value) error {
		if v.IsNil() {
			e.buf = append(e.buf, 0)
			return nil
		}
		n := v.Len()
		e.buf = appendUvarint(e.buf, uint64(n)+1)
		if err := e.enter(); err != nil {
			return err
		}
		for i := range n {
			if err := elem(e, v.Index(i)); err != nil {
				return err
			}
		}
		e.depth--
		return nil
	}
}

func encArray(elem encFunc) encFunc {
	return func(e *encoder, v reflect.Value) error {
		for i := range v.Len() {
			if err := elem(e, v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}
}

func encMap(t reflect.Type, key, elem encFunc) encFunc {
	return func(e *encoder, v reflect.Value) error {
		if v.IsNil() {
			e.buf = append(e.buf, refNil)
			return nil
		}
		if id, seen := e.ref(v.Pointer(), t); seen {
			e.buf = appendUvarint(e.buf, refOld+id)
			return nil
		}
		e.buf = appendUvarint(append(e.buf, refNew), uint64(v.Len()))
		if err := e.enter(); err != nil {
			return err
		}
		// One key and one value reused for all entries: it.Key() and
		// it.Value() would allocate a copy each.
		kv, ev := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		for it := v.MapRange(); it.Next(); {
			kv.SetIterKey(it)
			ev.SetIterValue(it)
			if err := key(e, kv); err != nil {
				return err
			}
			if err := elem(e, ev); err != nil {
				return err
			}
		}
		e.depth--
		return nil
	}
}

// encPtr sends what a pointer points to once per message: the same pointer
// again is a reference to the first, so aliasing survives and cycles end.
func encPtr(t reflect.Type, elem encFunc) encFunc {
	return func(e *encoder, v reflect.Value) error {
		if v.IsNil() {
			e.buf = append(e.buf, refNil)
			return nil
		}
		if id, seen := e.ref(v.Pointer(), t); seen {
			e.buf = appendUvarint(e.buf, refOld+id)
			return nil
		}
		e.buf = append(e.buf, refNew)
		if err := e.enter(); err != nil {
			return err
		}
		if err := elem(e, v.Elem()); err != nil {
			return err
		}
		e.depth--
		return nil
	}
}

type fieldEnc struct {
	index int
	enc   encFunc
}

func encStruct(fields []fieldEnc) encFunc {
	return func(e *encoder, v reflect.Value) error {
		for _, f := range fields {
			if err := f.enc(e, v.Field(f.index)); err != nil {
				return err
			}
		}
		return nil
	}
}

// encIfaceSlot writes a value of an interface type: its dynamic type, then
// the value. path names the slot in errors and in reports of zeroed values.
func encIfaceSlot(path string) encFunc {
	return func(e *encoder, v reflect.Value) error {
		if v.IsNil() {
			e.buf = append(e.buf, kNil)
			return nil
		}
		return e.inSlot(path, v.Elem())
	}
}

// encBoxSlot writes a value of an interpreter's interface type (a field of a
// cell-declared interface type), which is a box around the dynamic value.
func encBoxSlot(path string) encFunc {
	return func(e *encoder, v reflect.Value) error { return e.inSlot(path, v) }
}

func encShared(e *encoder, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, refNil)
			return nil
		}
	}
	obj := asInterface(v, sharedType).(Shared)
	kind, id := obj.SharedRef()
	e.buf = appendUvarint(appendString(append(e.buf, refNew), kind), id)
	if e.opts.Shared != nil {
		e.opts.Shared(obj)
	}
	return nil
}

func encMarshal(t reflect.Type, kind byte) encFunc {
	return func(e *encoder, v reflect.Value) error {
		var b []byte
		var err error
		if kind == kBinary {
			b, err = asInterface(v, binMarshaler).(encoding.BinaryMarshaler).MarshalBinary()
		} else {
			b, err = asInterface(v, gobEncoderType).(gobEncoder).GobEncode()
		}
		if err != nil {
			return fmt.Errorf("mp: cannot send a value of type %s: %w", t, err)
		}
		e.buf = append(appendUvarint(e.buf, uint64(len(b))), b...)
		return nil
	}
}

// asInterface gives v as a value of interface type it, through a pointer to
// (a copy of) v when the methods have pointer receivers.
func asInterface(v reflect.Value, it reflect.Type) any {
	if v.Type().Implements(it) {
		return v.Interface()
	}
	if v.CanAddr() {
		return v.Addr().Interface()
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p.Interface()
}
