package codec

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// A decoder is the state of one message being read.
type decoder struct {
	data    []byte
	pos     int
	opts    DecodeOptions
	entries []entry         // the message's type table
	refs    []reflect.Value // pointers and maps read so far; invalid if skipped
	depth   int
	budget  int64 // bytes the message may still make us allocate
}

// An entry of the message's type table: the name and shape as sent, and,
// once a value of it is read, the receiver's type and decoder.
type entry struct {
	name  string
	shape *shapeInfo
	t     reflect.Type
	dec   decFunc
	err   error
	done  bool
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// budgetFor is what a message of n bytes may make the decoder allocate,
// besides copies of its own strings and byte slices. A real value rarely
// takes more than a few times its encoded size in memory (a []int of small
// ints: 8 bytes each for 1 on the wire), so this is generous for them, and
// it keeps a forged length from allocating terabytes. (A receiver whose
// version of a struct grew big fields the sender lacks can exceed it.)
func budgetFor(n int) int64 { return 256*int64(n) + 1<<20 }

func decodeValues(data []byte, opts DecodeOptions, one bool) (vs []reflect.Value, err error) {
	if len(data) < 2 {
		return nil, corrupt("%d bytes", len(data))
	}
	if data[0] != magic {
		if data[0]&0xF0 == magic&0xF0 {
			return nil, corrupt("message of format version %d (this process reads %d)", data[0]&0xF, magic&0xF)
		}
		return nil, corrupt("not a message")
	}
	d := decoders.Get().(*decoder)
	d.data, d.pos, d.opts, d.budget = data, 1, opts, budgetFor(len(data))
	defer func() {
		// Decoding runs methods of the receiver's types (UnmarshalBinary,
		// the resolvers) on bytes from another process: a panic there is
		// a bad message, not a crash of this process.
		if r := recover(); r != nil {
			vs, err = nil, fmt.Errorf("%w: decoding panicked: %v", ErrCorrupt, r)
		}
		d.reset()
		decoders.Put(d)
	}()
	n, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	if one && n != 1 {
		return nil, fmt.Errorf("mp: expected a message of one value, got %d", n)
	}
	if n > uint64(d.left()) {
		return nil, corrupt("%d values in %d bytes", n, d.left())
	}
	vs = make([]reflect.Value, n)
	for i := range vs {
		v, boxed, name, err := d.dynamic()
		if err != nil {
			return nil, err
		}
		if boxed {
			if v, err = d.rebox(v, name); err != nil {
				return nil, err
			}
		}
		vs[i] = v
	}
	if d.pos != len(d.data) {
		return nil, corrupt("%d stray bytes after the values", len(d.data)-d.pos)
	}
	return vs, nil
}

func (d *decoder) reset() {
	clear(d.entries)
	clear(d.refs)
	d.entries, d.refs = d.entries[:0], d.refs[:0]
	d.data, d.opts, d.depth = nil, DecodeOptions{}, 0
}

// dynamic reads a type reference and a value of that type. It returns the
// invalid Value for nil, and whether the sender's interpreter had the value
// boxed (with the type's name for the boxer).
func (d *decoder) dynamic() (v reflect.Value, boxed bool, name string, err error) {
	code, err := d.uvarint()
	if err != nil {
		return v, false, "", err
	}
	if code == kBoxed {
		boxed = true
		if code, err = d.uvarint(); err != nil {
			return v, false, "", err
		}
		if code == kBoxed || code == kNil {
			return v, false, "", corrupt("bad boxed value")
		}
	}
	switch {
	case code == kNil:
		return v, false, "", nil
	case code >= kBool && code <= kBytes:
		v = reflect.New(basicTypes[code]).Elem()
		return v, boxed, "", basicDecs[code](d, v)
	case code == kErrString:
		s, err := d.string()
		return reflect.ValueOf(errors.New(s)), false, "", err
	case code == kShared:
		v, err = d.shared()
		return v, false, "", err
	}
	i, err := d.entry(code)
	if err != nil {
		return v, false, "", err
	}
	ent := &d.entries[i]
	if !ent.done {
		d.resolve(ent)
	}
	if ent.err != nil {
		return v, false, "", ent.err
	}
	if err := d.spend(ent.t.Size()); err != nil {
		return v, false, "", err
	}
	v = reflect.New(ent.t).Elem()
	return v, boxed, ent.name, ent.dec(d, v)
}

// entry reads a type table reference (code already read): a new entry, or
// one defined earlier in the message. It returns the entry's index.
func (d *decoder) entry(code uint64) (int, error) {
	switch code {
	case kNewNamed, kNewShape:
		var ent entry
		if code == kNewNamed {
			b, err := d.bytes()
			if err != nil {
				return 0, err
			}
			var ok bool
			if ent.name, ok = internTypeName(b); !ok {
				return 0, corrupt("%q is not a type", b)
			}
		}
		b, err := d.bytes()
		if err != nil {
			return 0, err
		}
		if ent.shape, err = shapeOf(b); err != nil {
			return 0, err
		}
		d.entries = append(d.entries, ent)
		return len(d.entries) - 1, nil
	}
	if code < firstEntry || code-firstEntry >= uint64(len(d.entries)) {
		return 0, corrupt("bad type reference %d", code)
	}
	return int(code - firstEntry), nil
}

// resolve finds the receiver's type of an entry and its decoder.
func (d *decoder) resolve(ent *entry) {
	ent.done = true
	if ent.name == "" {
		ent.t, ent.err = ent.shape.typ()
	} else if d.opts.Resolver == nil {
		ent.err = &TypeError{Type: ent.name, Msg: "no TypeResolver was given to find the type"}
	} else if t, err := resolveType(d.opts.Resolver, ent.name); err != nil {
		ent.err = &TypeError{Type: ent.name, Msg: err.Error()}
	} else if t == nil {
		ent.err = &TypeError{Type: ent.name, Msg: "the type resolved to nothing"}
	} else {
		ent.t = t
	}
	if ent.err == nil {
		ent.dec, ent.err = decPlanFor(ent.t, ent.shape, ent.name)
	}
}

// resolveType asks the resolver, which may be an interpreter compiling a
// name that came from another process: yaegi's compiler panics on some
// input, and that is an error of this message, not of the decoder.
func resolveType(r TypeResolver, name string) (t reflect.Type, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("resolving the type panicked: %v", p)
		}
	}()
	return r.ResolveType(name)
}

// rebox puts a value the sender's interpreter had boxed back in a box, if
// the resolver can.
func (d *decoder) rebox(v reflect.Value, name string) (reflect.Value, error) {
	b, ok := d.opts.Resolver.(InterfaceBoxer)
	if !ok {
		return v, nil
	}
	bv, err := b.BoxInterface(v, name)
	if err != nil {
		return v, &TypeError{Type: typeName(name, v.Type()), Msg: err.Error()}
	}
	return bv, nil
}

func typeName(name string, t reflect.Type) string {
	if name != "" {
		return name
	}
	return t.String()
}

// shared reads a shared object's reference and resolves it.
func (d *decoder) shared() (reflect.Value, error) {
	tag, err := d.uvarint()
	if err != nil || tag == refNil {
		return reflect.Value{}, err
	}
	if tag != refNew {
		return reflect.Value{}, corrupt("bad shared object tag %d", tag)
	}
	kind, err := d.string()
	if err != nil {
		return reflect.Value{}, err
	}
	id, err := d.uvarint()
	if err != nil {
		return reflect.Value{}, err
	}
	if d.opts.Shared == nil {
		return reflect.Value{}, &TypeError{Type: kind, Msg: whyNoShared}
	}
	v, err := d.opts.Shared.ResolveShared(kind, id)
	if err != nil {
		return reflect.Value{}, &TypeError{Type: kind, Msg: err.Error()}
	}
	if !v.IsValid() {
		return reflect.Value{}, &TypeError{Type: kind, Msg: fmt.Sprintf("shared object %d resolved to nothing", id)}
	}
	return v, nil
}

// The reading primitives: every length is checked against what is left.

func (d *decoder) left() int { return len(d.data) - d.pos }

func (d *decoder) uvarint() (uint64, error) {
	x, n := uvarint(d.data[d.pos:])
	if n <= 0 {
		if n == 0 {
			return 0, corrupt("truncated at byte %d", d.pos)
		}
		return 0, corrupt("number too large at byte %d", d.pos)
	}
	d.pos += n
	return x, nil
}

func (d *decoder) varint() (int64, error) {
	u, err := d.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (d *decoder) next(n uint64) ([]byte, error) {
	if n > uint64(d.left()) {
		return nil, corrupt("%d bytes wanted at byte %d, %d left", n, d.pos, d.left())
	}
	b := d.data[d.pos : d.pos+int(n) : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

func (d *decoder) byte() (byte, error) {
	if d.pos >= len(d.data) {
		return 0, corrupt("truncated at byte %d", d.pos)
	}
	d.pos++
	return d.data[d.pos-1], nil
}

// bytes reads a length-prefixed run of bytes, in place.
func (d *decoder) bytes() ([]byte, error) {
	n, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	return d.next(n)
}

func (d *decoder) string() (string, error) {
	b, err := d.bytes()
	return string(b), err
}

// spend takes n bytes of allocation from the message's budget.
func (d *decoder) spend(n uintptr) error {
	if int64(n) < 0 || int64(n) > d.budget {
		return corrupt("the message would allocate too much memory")
	}
	d.budget -= int64(n)
	return nil
}

// count checks a count of elements read from the message, each of which
// takes at least min bytes and size bytes of memory. Elements of no bytes
// (struct{}, or fields all left out) are not read one by one, so their
// count needs no bound from the input unless they take memory.
func (d *decoder) count(n uint64, min int64, size uintptr) error {
	if min > 0 && n > uint64(d.left())/uint64(min) {
		return corrupt("%d elements cannot fit in the %d bytes left", n, d.left())
	}
	if n > 1<<31 {
		return corrupt("%d elements", n)
	}
	if size > 0 {
		if n > uint64(d.budget)/uint64(size) {
			return corrupt("%d elements would allocate too much memory", n)
		}
		d.budget -= int64(n * uint64(size))
	}
	return nil
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return corrupt("value nested too deeply")
	}
	return nil
}

// ref returns the k-th object of the message, checking it is a t.
func (d *decoder) ref(k uint64, t reflect.Type) (reflect.Value, error) {
	if k >= uint64(len(d.refs)) {
		return reflect.Value{}, corrupt("reference to object %d of %d", k, len(d.refs))
	}
	v := d.refs[k]
	if !v.IsValid() {
		return v, corrupt("reference to an object this process skipped")
	}
	if v.Type() != t {
		return reflect.Value{}, corrupt("reference to a %s where a %s is expected", v.Type(), t)
	}
	return v, nil
}
