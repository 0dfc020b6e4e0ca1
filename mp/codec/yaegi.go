package codec

import (
	"reflect"
	"unsafe"
)

// yaegi keeps a value stored in a variable or field of a cell-declared
// interface type (and some values in any-typed places) in a box,
// interp.valueInterface{node *node; value reflect.Value}: the node carries
// the interpreter's type, hence the method set. The codec sends the value
// in the box (and says it was boxed); the receiver's InterfaceBoxer boxes it
// again. Reading the box needs unsafe because its fields are unexported; the
// layout is checked, and a box of another layout is reported as a value that
// cannot be copied rather than misread.

// unbox returns the value in a box (invalid for a nil box) and whether the
// box could be read.
func unbox(v reflect.Value) (reflect.Value, bool) {
	f, ok := v.Type().FieldByName("value")
	if !ok || f.Type != valueType || len(f.Index) != 1 {
		return reflect.Value{}, false
	}
	var base unsafe.Pointer
	if v.CanAddr() {
		base = v.Addr().UnsafePointer()
	} else {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		base = p.UnsafePointer()
	}
	return *(*reflect.Value)(unsafe.Add(base, f.Offset)), true
}
