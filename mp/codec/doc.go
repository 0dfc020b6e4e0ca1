// Package codec copies Go values between the processes of a gomp session:
// the arguments of an mp.Process, the global variables a child starts with,
// and everything sent through queues, pipes and managers.
//
// The promise is that a value comes out with the type it went in with. The
// difficulty is that values of types declared in notebook cells are values
// of the yaegi interpreter: to reflect they are unnamed structs
// (struct { Name string; Xid int }, with yaegi's X prefix on unexported
// fields), and the same declaration has a different reflect.Type in another
// interpreter, in another process. So types travel by name, as Go source
// ("Worker", "[]Worker", "time.Duration"), through a TypeNamer on the
// sending side and a TypeResolver on the receiving side (mp.Host implements
// both). Alongside the name travels the sender's shape of the type (field
// names and kinds): the receiver decodes straight into its own type when the
// shapes agree and matches struct fields by name when they do not (a type
// redeclared in the notebook after the child started).
//
// # Wire format (version 1)
//
// A message is
//
//	0xC1  uvarint(count)  value...
//
// and each value is a type reference followed by the value's payload:
//
//	typeref := uvarint code
//	  0            nil (an absent or nil interface value; no payload)
//	  2..19        a predeclared type: bool, int..., float64, complex128,
//	               string, []byte (see wire.go)
//	  20           an error whose type cannot be copied: its message
//	  21 typeref   the value was boxed by the interpreter (yaegi's
//	               valueInterface); the receiver boxes it again if it can
//	  22           a Shared object: a reference, never a copy
//	  23 name shape    a new entry of the message's type table, by name
//	  24 shape         a new entry that needs no name (e.g. []int, map[string]any)
//	  25+k         entry k of the message's type table
//
// so a type's name and shape are written once per message however many
// values of it follow. A shape is a length-prefixed tree of kinds (struct
// fields with their names, element kinds, array lengths; back-references for
// recursive types). Payloads: zigzag varints for signed integers, uvarints
// for unsigned ones, single bytes for int8/uint8/bool, little-endian IEEE
// floats, length-prefixed strings, uvarint(len+1) for slices (0 is nil),
// struct fields in order, and for pointers and maps a reference tag (0 nil,
// 1 a new object follows, 2+k the k-th object of this message again), which
// keeps aliasing and makes cycles work.
//
// # What the mp runtime provides
//
// TypeName must write composite types whole, as Go source the receiving
// interpreter compiles: "[]Worker", "map[string]*Point", "[]time.Duration".
// It is asked once per type per message and must be fast (cache by
// reflect.Type). Types made only of predeclared types ([]int,
// map[string]any, *float64) never reach it; neither do Shared objects,
// whose type the SharedResolver decides.
//
// ResolveType is asked once per name per message and should cache by name
// (invalidating on redeclaration). Names reach it only if they parse as
// type expressions (no calls, no statements, array lengths as literals up
// to 2^30), so evaluating `(*NAME)(nil)` cannot run code smuggled into a
// message; prefer that to `*new(NAME)`, which would allocate a value of the
// type (a forged [1<<30][1<<30]int). If it panics, the message fails.
//
// Shared: implement SharedRef on the pointer receiver of each mp object
// type (func (q *Queue) SharedRef() (kind string, id uint64)); a nil
// pointer is sent as nil without calling it. ResolveShared returns the
// receiving process's handle (reflect.ValueOf(q) of type *mp.Queue).
//
// InterfaceBoxer (optional, on the resolver) re-creates yaegi's box for
// values that sat in variables or fields of a cell-declared interface type;
// yaegi's box holds the value's own type, so any interface with a method of
// that type can make it, e.g. by evaluating once per type
// `func(x T) interface{ M() } { return x }` for a method M of T.
//
// Global variables: encode with Lenient (channels, funcs and the like
// become zero values, reported through Zeroed). DecodeValues gives an
// invalid Value for nil and for a zeroed value: use reflect.Zero of the
// destination. Values of Shared types inside globals stay shared.
//
// Limits worth knowing: to reflect, yaegi's named non-struct types are
// their underlying types (a `type Celsius float64` arrives as float64), and
// two cell struct types of identical fields are one reflect.Type, which the
// namer cannot tell apart (harmless: the receiver's two types are one
// reflect.Type too). A sync.Mutex or sync.RWMutex inside a value arrives
// unlocked, as a new lock; any other compiled type with unexported fields
// and no MarshalBinary/GobEncode cannot be sent. An error whose type cannot
// be sent (fmt.Errorf's) arrives as errors.New of its message.
//
// # Decoding hostile input
//
// A message may come from a process that died halfway through writing it, so
// decoding checks every length against the bytes that are left, keeps the
// memory it allocates proportional to the input, limits nesting, and never
// panics: anything wrong is an error (ErrCorrupt for malformed input).
package codec
