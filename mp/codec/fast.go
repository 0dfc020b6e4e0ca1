package codec

import (
	"encoding/binary"
	"math"
)

// Fast paths for a message of one value of a predeclared type, the common
// case of queues: no reflect, no pooled state.

func appendFast(orig []byte, v any) ([]byte, bool) {
	dst := orig
	if dst == nil {
		dst = make([]byte, 0, 16)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, magic, 1, kNil), true
	case int:
		return appendVarint(append(dst, magic, 1, kInt), int64(x)), true
	case int64:
		return appendVarint(append(dst, magic, 1, kInt64), x), true
	case int32:
		return appendVarint(append(dst, magic, 1, kInt32), int64(x)), true
	case uint64:
		return appendUvarint(append(dst, magic, 1, kUint64), x), true
	case uint:
		return appendUvarint(append(dst, magic, 1, kUint), uint64(x)), true
	case float64:
		return appendFloat64(append(dst, magic, 1, kFloat64), x), true
	case bool:
		b := byte(0)
		if x {
			b = 1
		}
		return append(dst, magic, 1, kBool, b), true
	case string:
		if cap(dst)-len(dst) < len(x)+8 {
			dst = append(make([]byte, 0, len(dst)+len(x)+8), dst...)
		}
		return appendString(append(dst, magic, 1, kString), x), true
	case []byte:
		if x == nil {
			return append(dst, magic, 1, kBytes, 0), true
		}
		if cap(dst)-len(dst) < len(x)+13 {
			dst = append(make([]byte, 0, len(dst)+len(x)+13), dst...)
		}
		return append(appendUvarint(append(dst, magic, 1, kBytes), uint64(len(x))+1), x...), true
	}
	return orig, false
}

// decodeFast decodes a message of one value of a common predeclared type
// without reflect. ok is false when the message is not of that form.
func decodeFast(data []byte) (v any, ok bool, err error) {
	if len(data) < 3 || data[0] != magic || data[1] != 1 {
		return nil, false, nil
	}
	b := data[3:]
	var n int
	switch data[2] {
	case kNil:
		v, n = nil, 0
	case kInt, kInt64:
		var u uint64
		if u, n = uvarint(b); n > 0 {
			x := int64(u>>1) ^ -int64(u&1)
			if data[2] == kInt {
				v = int(x)
			} else {
				v = x
			}
		}
	case kFloat64:
		if len(b) >= 8 {
			v, n = math.Float64frombits(binary.LittleEndian.Uint64(b)), 8
		}
	case kString, kBytes:
		var l uint64
		if l, n = uvarint(b); n > 0 {
			if data[2] == kBytes {
				if l == 0 {
					v = []byte(nil)
					break
				}
				l--
			}
			if l > uint64(len(b)-n) {
				return nil, true, corrupt("%d bytes wanted, %d left", l, len(b)-n)
			}
			if data[2] == kString {
				v = string(b[n : n+int(l)])
			} else {
				v = append(make([]byte, 0, l), b[n:n+int(l)]...)
			}
			n += int(l)
		}
	default:
		return nil, false, nil
	}
	if n < 0 || (n == 0 && data[2] != kNil) {
		return nil, true, corrupt("truncated value")
	}
	if n != len(b) {
		return nil, true, corrupt("%d stray bytes after the value", len(b)-n)
	}
	return v, true, nil
}
