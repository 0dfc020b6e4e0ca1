package codec

import (
	"encoding/binary"
	"math"
)

// magic opens every message: 0xC0 | format version.
const magic = 0xC1

// Type reference codes (see doc.go). The predeclared types double as shape
// kinds, so a field of type int has shape kInt.
const (
	kNil        = 0
	kBool       = 2
	kInt        = 3
	kInt8       = 4
	kInt16      = 5
	kInt32      = 6
	kInt64      = 7
	kUint       = 8
	kUint8      = 9
	kUint16     = 10
	kUint32     = 11
	kUint64     = 12
	kUintptr    = 13
	kFloat32    = 14
	kFloat64    = 15
	kComplex64  = 16
	kComplex128 = 17
	kString     = 18
	kBytes      = 19 // a slice of a byte kind: length and raw bytes
	kErrString  = 20 // typeref only
	kBoxed      = 21 // typeref only
	kShared     = 22 // typeref and shape
	kNewNamed   = 23 // typeref only
	kNewShape   = 24 // typeref only
	firstEntry  = 25
)

// Shape-only kinds.
const (
	kSlice   = 40 // elem
	kArray   = 41 // uvarint len, elem
	kMap     = 42 // key, elem
	kPtr     = 43 // elem
	kStruct  = 44 // uvarint n, n × (name, tag, shape)
	kIface   = 45 // one byte: ifaceAny, ifaceError or ifaceOther
	kBinary  = 46 // encoding.BinaryMarshaler output, length-prefixed
	kGob     = 47 // gob.GobEncoder output, length-prefixed
	kZero    = 48 // not sent: the receiver keeps the zero value
	kBackref = 49 // uvarint index of an earlier node of the same shape
)

// Interface subkinds: only any and error can be rebuilt without a name.
const (
	ifaceAny   = 0
	ifaceError = 1
	ifaceOther = 2
)

// Reference tags of pointers, maps and shared objects.
const (
	refNil = 0
	refNew = 1
	refOld = 2 // refOld+k: the k-th object of the message
)

func appendUvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func appendVarint(b []byte, x int64) []byte {
	return appendUvarint(b, uint64(x<<1)^uint64(x>>63))
}

func appendString(b []byte, s string) []byte {
	return append(appendUvarint(b, uint64(len(s))), s...)
}

func appendFloat32(b []byte, f float32) []byte {
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
}

func appendFloat64(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func uvarint(b []byte) (uint64, int) { return binary.Uvarint(b) }
