package codec

import (
	"encoding"
	"reflect"
	"sync"
)

// This file sorts Go types into what the codec does with them.

var (
	anyType        = reflect.TypeFor[any]()
	errorType      = reflect.TypeFor[error]()
	bytesType      = reflect.TypeFor[[]byte]()
	sharedType     = reflect.TypeFor[Shared]()
	binMarshaler   = reflect.TypeFor[encoding.BinaryMarshaler]()
	binUnmarshaler = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	gobEncoderType = reflect.TypeFor[gobEncoder]()
	gobDecoderType = reflect.TypeFor[gobDecoder]()
	valueType      = reflect.TypeFor[reflect.Value]()
)

// The method sets of gob.GobEncoder and gob.GobDecoder, without importing gob.
type gobEncoder interface{ GobEncode() ([]byte, error) }
type gobDecoder interface{ GobDecode([]byte) error }

// basicTypes maps the codes of the predeclared types to the types, and
// basicCodes the kinds back to codes.
var (
	basicTypes = [kBytes + 1]reflect.Type{
		kBool: reflect.TypeFor[bool](), kInt: reflect.TypeFor[int](), kInt8: reflect.TypeFor[int8](),
		kInt16: reflect.TypeFor[int16](), kInt32: reflect.TypeFor[int32](), kInt64: reflect.TypeFor[int64](),
		kUint: reflect.TypeFor[uint](), kUint8: reflect.TypeFor[uint8](), kUint16: reflect.TypeFor[uint16](),
		kUint32: reflect.TypeFor[uint32](), kUint64: reflect.TypeFor[uint64](), kUintptr: reflect.TypeFor[uintptr](),
		kFloat32: reflect.TypeFor[float32](), kFloat64: reflect.TypeFor[float64](),
		kComplex64: reflect.TypeFor[complex64](), kComplex128: reflect.TypeFor[complex128](),
		kString: reflect.TypeFor[string](), kBytes: bytesType,
	}
	basicCodes = [reflect.String + 1]byte{
		reflect.Bool: kBool, reflect.Int: kInt, reflect.Int8: kInt8, reflect.Int16: kInt16,
		reflect.Int32: kInt32, reflect.Int64: kInt64, reflect.Uint: kUint, reflect.Uint8: kUint8,
		reflect.Uint16: kUint16, reflect.Uint32: kUint32, reflect.Uint64: kUint64,
		reflect.Uintptr: kUintptr, reflect.Float32: kFloat32, reflect.Float64: kFloat64,
		reflect.Complex64: kComplex64, reflect.Complex128: kComplex128, reflect.String: kString,
	}
)

// kindCode is the shape kind of a basic kind (0 for other kinds).
func kindCode(k reflect.Kind) byte {
	if int(k) < len(basicCodes) {
		return basicCodes[k]
	}
	return 0
}

// predeclaredCode is the type reference code of a predeclared type (and of
// []byte), 0 for any other type.
func predeclaredCode(t reflect.Type) byte {
	if c := kindCode(t.Kind()); c != 0 && basicTypes[c] == t {
		return c
	}
	if t == bytesType {
		return kBytes
	}
	return 0
}

// isBox tells yaegi's wrapper of interface values (see InterfaceBoxer).
func isBox(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.Name() == "valueInterface" &&
		t.PkgPath() == "github.com/traefik/yaegi/interp"
}

// zeroOnCopy are types whose faithful copy in another process is their zero
// value: a lock guards memory of one process, so the copy of a struct holding
// one gets a new, unlocked lock (as a struct literal would), not an error.
var zeroOnCopy = map[reflect.Type]bool{
	reflect.TypeFor[sync.Mutex]():   true,
	reflect.TypeFor[sync.RWMutex](): true,
}

// isShared tells types whose values are Shared references (the type or, for
// a struct like mp.Queue held by value, its pointer).
func isShared(t reflect.Type) bool {
	if t.Kind() == reflect.Interface {
		return false
	}
	return t.Implements(sharedType) || t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(sharedType)
}

// marshalKind tells named compiled types that copy themselves: kBinary for
// encoding.BinaryMarshaler (time.Time), kGob for gob.GobEncoder (big.Int),
// 0 for neither. Unnamed types are left out: their only methods are promoted
// from embedded fields and would leave the other fields behind.
func marshalKind(t reflect.Type) byte {
	if t.Name() == "" || t.Kind() == reflect.Interface {
		return 0
	}
	pt := reflect.PointerTo(t)
	if (t.Implements(binMarshaler) || pt.Implements(binMarshaler)) && pt.Implements(binUnmarshaler) {
		return kBinary
	}
	if (t.Implements(gobEncoderType) || pt.Implements(gobEncoderType)) && pt.Implements(gobDecoderType) {
		return kGob
	}
	return 0
}

// selfDescribing tells types made only of predeclared types (including any
// and error): their shape says all there is to know, so they need no name.
func selfDescribing(t reflect.Type) bool {
	switch {
	case predeclaredCode(t) != 0, t == anyType, t == errorType:
		return true
	case t.Name() != "":
		return false
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return selfDescribing(t.Elem())
	case reflect.Map:
		return selfDescribing(t.Key()) && selfDescribing(t.Elem())
	}
	return false
}

// rebuildable tells types the receiver can build from their shape alone when
// the namer cannot name them: self-describing types and unnamed structs of
// exported fields of such types (an interpreter's anonymous struct types; its
// named ones are also unnamed structs, and rebuilding gives the identical
// reflect.Type, because reflect.StructOf is what the interpreter used).
func rebuildable(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if selfDescribing(t) {
		return true
	}
	if t.Name() != "" || visiting[t] {
		return false
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return rebuildable(t.Elem(), visiting)
	case reflect.Map:
		return rebuildable(t.Key(), visiting) && rebuildable(t.Elem(), visiting)
	case reflect.Struct:
		if isBox(t) {
			return false
		}
		visiting[t] = true
		defer delete(visiting, t)
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Anonymous || !rebuildable(f.Type, visiting) {
				return false
			}
		}
		return true
	}
	return false
}
