package codec

import "reflect"

// TypeNamer writes a type as Go source that a TypeResolver of another
// process of the same session turns back into that process's version of the
// type: "int", "[]Worker", "map[string]*Point", "time.Duration". It reports
// false when the type cannot be named. mp.Host implements it.
//
// The codec asks it only about the type of each value it is given and the
// dynamic types found in interface values, once per type per message, and
// never about types made only of predeclared types ([]int, map[string]any),
// which the codec describes itself. It must be fast (a map lookup).
type TypeNamer interface {
	TypeName(t reflect.Type) (string, bool)
}

// TypeResolver is TypeNamer's inverse in the receiving process. It is asked
// once per type name per message, so it should cache. mp.Host implements it.
type TypeResolver interface {
	ResolveType(name string) (reflect.Type, error)
}

// Shared is implemented by values that stand for an object living elsewhere
// (an mp queue, lock, pipe end, manager proxy): they are sent as a reference
// (kind, id) and the receiver plugs in its own handle for the same object
// through a SharedResolver. A pointer type implementing it (*mp.Queue) is
// recognised anywhere inside a value: in a struct field, a slice, an any.
type Shared interface {
	SharedRef() (kind string, id uint64)
}

// SharedResolver gives the receiving process's value for a shared object.
// The value must be assignable to where it goes (a *mp.Queue to a field of
// type *mp.Queue or any); a pointer whose element type is the field's type is
// dereferenced.
type SharedResolver interface {
	ResolveShared(kind string, id uint64) (reflect.Value, error)
}

// InterfaceBoxer is optionally implemented by a TypeResolver whose
// interpreter keeps interface values of its own in a wrapper type (yaegi
// stores a value held by a variable or field of an interface type with
// methods as an interp.valueInterface, which carries the interpreter's type
// and so the method set). Box gives that wrapper for v, whose type the sender
// named typeName (empty if the type needed no name). Without a boxer, such
// fields cannot be decoded, and boxed values in any-typed places arrive
// unboxed: type assertions to concrete types work on them, assertions to
// interfaces declared in cells do not.
type InterfaceBoxer interface {
	BoxInterface(v reflect.Value, typeName string) (reflect.Value, error)
}

// EncodeOptions configure an encoding. The zero value encodes values made of
// predeclared types only.
type EncodeOptions struct {
	// Namer names the types of values (nil: none can be named).
	Namer TypeNamer
	// Lenient makes values that cannot be copied (channels, funcs, values
	// of types that cannot be named...) become the zero value on the other
	// side, instead of failing Encode: wholly when the value itself cannot
	// be copied, field by field inside structs, nil inside interfaces. This
	// is how global variables are copied into a child.
	Lenient bool
	// Zeroed, if set, is told about each part a lenient encoding zeroed.
	Zeroed func(Zeroed)
	// Shared, if set, is told about each shared object written, once per
	// reference in the message (the receiver resolves each one): a sender
	// that must account for copies in transit (a pipe end) does so when the
	// encoding succeeded, not for a message that failed half-way.
	Shared func(Shared)
}

// Zeroed is a part of a value that a lenient encoding did not copy.
type Zeroed struct {
	Index  int    // which of the values of the message (0 for Encode)
	Path   string // where inside it: "" for the value itself, ".Xdone", "[i].Data", "[key]"
	Type   string // its type, as Go source where it can be named
	Reason string // why it cannot be copied
}

// DecodeOptions configure a decoding.
type DecodeOptions struct {
	// Resolver finds types by name (nil: only types made of predeclared
	// types can be decoded).
	Resolver TypeResolver
	// Shared finds shared objects (nil: a message holding one fails).
	Shared SharedResolver
}

// Encode encodes one value. v's dynamic type is the type that is sent; a
// nil v decodes as nil.
func Encode(v any, opts EncodeOptions) ([]byte, error) {
	return AppendEncode(nil, v, opts)
}

// AppendEncode is Encode appending to dst, so a caller can reuse buffers.
func AppendEncode(dst []byte, v any, opts EncodeOptions) ([]byte, error) {
	if b, ok := appendFast(dst, v); ok {
		return b, nil
	}
	return appendValues(dst, nil, v, opts)
}

// EncodeValues encodes several values in one message (a process's
// arguments), sharing one type table: each type's name is sent once, and
// pointers shared between the values stay shared. An invalid Value encodes
// as nil; a Value of an interface kind is sent as its dynamic value.
func EncodeValues(vs []reflect.Value, opts EncodeOptions) ([]byte, error) {
	return AppendEncodeValues(nil, vs, opts)
}

// AppendEncodeValues is EncodeValues appending to dst.
func AppendEncodeValues(dst []byte, vs []reflect.Value, opts EncodeOptions) ([]byte, error) {
	if vs == nil {
		vs = []reflect.Value{}
	}
	return appendValues(dst, vs, nil, opts)
}

// Decode decodes a message of exactly one value. A nil value (or one a
// lenient encoding zeroed) decodes as nil.
func Decode(data []byte, opts DecodeOptions) (any, error) {
	if v, ok, err := decodeFast(data); ok {
		return v, err
	}
	vs, err := decodeValues(data, opts, true)
	if err != nil {
		return nil, err
	}
	if !vs[0].IsValid() {
		return nil, nil
	}
	return vs[0].Interface(), nil
}

// DecodeValues decodes a message of any number of values. Each comes with
// the type it was sent with (as the receiver resolves it); an invalid Value
// stands for nil or for a value a lenient encoding zeroed: the receiver uses
// the zero value of wherever it goes (reflect.Zero).
func DecodeValues(data []byte, opts DecodeOptions) ([]reflect.Value, error) {
	return decodeValues(data, opts, false)
}
