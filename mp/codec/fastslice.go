package codec

import (
	"encoding/binary"
	"math"
	"reflect"
	"unsafe"
)

// Slices of the most common basic kinds skip reflect for each element: the
// memory of a []T whose T has kind int is that of an []int whatever T's name,
// so the elements are read as one. The wire format is the same as element
// by element.

func fastSliceEncoder(et reflect.Type) encFunc {
	if marshalKind(et) != 0 || isShared(et) {
		return nil
	}
	switch et.Kind() {
	case reflect.Int:
		return encSliceOf(func(b []byte, x int) []byte { return appendVarint(b, int64(x)) })
	case reflect.Int64:
		return encSliceOf(func(b []byte, x int64) []byte { return appendVarint(b, x) })
	case reflect.Int32:
		return encSliceOf(func(b []byte, x int32) []byte { return appendVarint(b, int64(x)) })
	case reflect.Uint64:
		return encSliceOf(appendUvarint)
	case reflect.Float64:
		return encSliceOf(appendFloat64)
	case reflect.String:
		return encSliceOf(appendString)
	case reflect.Bool:
		return encSliceOf(func(b []byte, x bool) []byte {
			if x {
				return append(b, 1)
			}
			return append(b, 0)
		})
	}
	return nil
}

func encSliceOf[T any](put func([]byte, T) []byte) encFunc {
	return func(e *encoder, v reflect.Value) error {
		if v.IsNil() {
			e.buf = append(e.buf, 0)
			return nil
		}
		n := v.Len()
		e.buf = appendUvarint(e.buf, uint64(n)+1)
		for _, x := range unsafe.Slice((*T)(v.UnsafePointer()), n) {
			e.buf = put(e.buf, x)
		}
		return nil
	}
}

// fastSliceDecoder mirrors fastSliceEncoder, when the sent elements are of
// the receiver's element kind.
func fastSliceDecoder(t reflect.Type, es *shapeNode) decFunc {
	et := t.Elem()
	if marshalKind(et) != 0 || isShared(et) || es.kind > kString || basicTypes[es.kind].Kind() != et.Kind() {
		return nil
	}
	switch et.Kind() {
	case reflect.Int:
		return decSliceOf(t, es, func(d *decoder, x *int) error {
			v, err := d.varint()
			*x = int(v)
			return err
		})
	case reflect.Int64:
		return decSliceOf(t, es, func(d *decoder, x *int64) (err error) {
			*x, err = d.varint()
			return err
		})
	case reflect.Float64:
		return decSliceOf(t, es, func(d *decoder, x *float64) error {
			b, err := d.next(8)
			if err == nil {
				*x = math.Float64frombits(binary.LittleEndian.Uint64(b))
			}
			return err
		})
	case reflect.String:
		return decSliceOf(t, es, func(d *decoder, x *string) (err error) {
			*x, err = d.string()
			return err
		})
	}
	return nil
}

func decSliceOf[T any](t reflect.Type, es *shapeNode, get func(*decoder, *T) error) decFunc {
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
		s := reflect.MakeSlice(t, int(n), int(n))
		xs := unsafe.Slice((*T)(s.UnsafePointer()), int(n))
		for i := range xs {
			if err := get(d, &xs[i]); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
}
