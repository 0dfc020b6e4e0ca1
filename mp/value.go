package mp

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"unsafe"

	"gomp/mp/shm"
)

// Value and Array are numbers in shared memory, Python's
// multiprocessing.Value and Array. Each element is read and written with
// one atomic operation, so Get and Set need no lock and never see half a
// number; a read-modify-write (v.Set(v.Get().(int) + 1)) needs the lock
// (GetLock), or Add. The lock is an mp.Lock rather than Python's default
// RLock: Get and Set do not take it, so nothing needs it to be reentrant,
// and a Lock is one compare-and-swap where an RLock must find out which
// goroutine calls.

const (
	valueKind = "sync/Value"
	arrayKind = "sync/Array"
)

func init() {
	registerSharedKind(valueKind, func(r *shm.Region, ref shm.Ref) (any, error) { return openValue(r, ref) })
	registerSharedKind(arrayKind, func(r *shm.Region, ref shm.Ref) (any, error) { return openArray(r, ref) })
}

// numberTypes are the types a Value or an Array element can have, by kind:
// the predeclared numbers and bool.
var numberTypes = map[reflect.Kind]reflect.Type{}

func init() {
	for _, x := range []any{int(0), int8(0), int16(0), int32(0), int64(0), uint(0), uint8(0), uint16(0),
		uint32(0), uint64(0), uintptr(0), float32(0), float64(0), false} {
		t := reflect.TypeOf(x)
		numberTypes[t.Kind()] = t
	}
}

const supportedNumbers = "int, int8...int64, uint, uint8 (byte)...uint64, uintptr, float32, float64 or bool"

// bitsOf is x as the 64 bits a Value of kind want stores, or false if x is
// not of that type. An integer is accepted for a float (Python's Value('d')
// takes an int too; it spares cells a float64() around constants).
func bitsOf(want reflect.Kind, x any) (uint64, bool) {
	var got reflect.Kind
	var bits uint64
	switch x := x.(type) {
	case int:
		got, bits = reflect.Int, uint64(x)
	case int8:
		got, bits = reflect.Int8, uint64(x)
	case int16:
		got, bits = reflect.Int16, uint64(x)
	case int32:
		got, bits = reflect.Int32, uint64(x)
	case int64:
		got, bits = reflect.Int64, uint64(x)
	case uint:
		got, bits = reflect.Uint, uint64(x)
	case uint8:
		got, bits = reflect.Uint8, uint64(x)
	case uint16:
		got, bits = reflect.Uint16, uint64(x)
	case uint32:
		got, bits = reflect.Uint32, uint64(x)
	case uint64:
		got, bits = reflect.Uint64, x
	case uintptr:
		got, bits = reflect.Uintptr, uint64(x)
	case float32:
		got, bits = reflect.Float32, uint64(math.Float32bits(x))
	case float64:
		got, bits = reflect.Float64, math.Float64bits(x)
	case bool:
		got = reflect.Bool
		if x {
			bits = 1
		}
	default:
		return 0, false
	}
	switch {
	case got == want:
		return bits, true
	case got >= reflect.Int && got <= reflect.Int64 && want == reflect.Float64:
		return math.Float64bits(float64(int64(bits))), true
	case got >= reflect.Int && got <= reflect.Int64 && want == reflect.Float32:
		return uint64(math.Float32bits(float32(int64(bits)))), true
	}
	return 0, false
}

// numberOf is bitsOf's inverse; it uses only the low bits of the kind's
// size, so it also reads the narrower elements of an Array.
func numberOf(k reflect.Kind, bits uint64) any {
	switch k {
	case reflect.Int:
		return int(bits)
	case reflect.Int8:
		return int8(bits)
	case reflect.Int16:
		return int16(bits)
	case reflect.Int32:
		return int32(bits)
	case reflect.Int64:
		return int64(bits)
	case reflect.Uint:
		return uint(bits)
	case reflect.Uint8:
		return uint8(bits)
	case reflect.Uint16:
		return uint16(bits)
	case reflect.Uint32:
		return uint32(bits)
	case reflect.Uint64:
		return bits
	case reflect.Uintptr:
		return uintptr(bits)
	case reflect.Float32:
		return math.Float32frombits(uint32(bits))
	case reflect.Float64:
		return math.Float64frombits(bits)
	case reflect.Bool:
		return bits != 0
	}
	panic(fmt.Sprintf("mp: no number of kind %v", k))
}

// addBits adds delta to old, both bits of kind k.
func addBits(op string, k reflect.Kind, old, delta uint64) uint64 {
	switch k {
	case reflect.Float64:
		return math.Float64bits(math.Float64frombits(old) + math.Float64frombits(delta))
	case reflect.Float32:
		return uint64(math.Float32bits(math.Float32frombits(uint32(old)) + math.Float32frombits(uint32(delta))))
	case reflect.Bool:
		panic(fmt.Errorf("mp: %s: cannot add to a bool", op))
	}
	return old + delta // integers wrap as Go's do: the reader keeps the low bits
}

func typeMismatch(op string, k reflect.Kind, x any) error {
	return fmt.Errorf("mp: %s: it holds %v, and the value given is a %T", op, numberTypes[k], x)
}

// Value is a number or bool in shared memory, Python's
// multiprocessing.Value. Get returns it with the type it was made with.
type Value struct {
	kind reflect.Kind
	bits *uint64
	lock *Lock
	ref  shm.Ref
}

const valueSize = 16 // lock word, kind, bits

// NewValue makes a Value holding x, which is an int, an int8...int64, a
// uint, a uint8 (byte)...uint64, a uintptr, a float32, a float64 or a bool.
// mp.NewValue(0) holds an int, mp.NewValue(0.0) a float64.
func NewValue(x any) *Value {
	t := reflect.TypeOf(x)
	if t == nil || numberTypes[t.Kind()] != t {
		panic(fmt.Errorf("mp: NewValue: a Value holds an %s, not a %v", supportedNumbers, t))
	}
	r, ref := allocShared("NewValue", valueSize)
	b, err := r.Bytes(ref, valueSize)
	if err != nil {
		panic(fmt.Errorf("mp: NewValue: %w", err))
	}
	bits, _ := bitsOf(t.Kind(), x)
	atomic.StoreUint64((*uint64)(unsafe.Pointer(&b[8])), bits)
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&b[4])), uint32(t.Kind()))
	v, err := openValue(r, ref)
	if err != nil {
		panic(fmt.Errorf("mp: NewValue: %w", err))
	}
	r.Pin(ref) // its lock (the same object) is freed with handles; the Value is not
	rememberShared(valueKind, ref, v)
	return v
}

func openValue(r *shm.Region, ref shm.Ref) (*Value, error) {
	b, err := r.Bytes(ref, valueSize)
	if err != nil {
		return nil, err
	}
	k := reflect.Kind(atomic.LoadUint32((*uint32)(unsafe.Pointer(&b[4]))))
	if numberTypes[k] == nil {
		return nil, fmt.Errorf("no Value at %#x", uint64(ref))
	}
	lock, err := sharedLockAt(ref)
	if err != nil {
		return nil, err
	}
	return &Value{kind: k, bits: (*uint64)(unsafe.Pointer(&b[8])), lock: lock, ref: ref}, nil
}

// sharedLockAt is this process's handle on the Lock whose word starts the
// object at ref (a Value's, an Array's): the same pointer as the one a
// child gets when the lock alone is passed to it.
func sharedLockAt(ref shm.Ref) (*Lock, error) {
	lv, err := sharedResolver{}.ResolveShared(lockKind, uint64(ref))
	if err != nil {
		return nil, err
	}
	return lv.Interface().(*Lock), nil
}

// SharedRef is how the value crosses to another process (codec.Shared).
func (v *Value) SharedRef() (kind string, id uint64) { return valueKind, uint64(v.ref) }

// Get returns the number, with the Value's type (v.Get().(int)).
func (v *Value) Get() any { return numberOf(v.kind, atomic.LoadUint64(v.bits)) }

// Set stores x, which must have the Value's type (an integer is accepted
// for a float); another type panics, naming both.
func (v *Value) Set(x any) {
	bits, ok := bitsOf(v.kind, x)
	if !ok {
		panic(typeMismatch("Value.Set", v.kind, x))
	}
	atomic.StoreUint64(v.bits, bits)
}

// Add adds delta (of the Value's type) atomically, without the lock, and
// returns the new number. Integers wrap around as Go's do.
func (v *Value) Add(delta any) any {
	d, ok := bitsOf(v.kind, delta)
	if !ok {
		panic(typeMismatch("Value.Add", v.kind, delta))
	}
	if v.kind != reflect.Float64 && v.kind != reflect.Float32 && v.kind != reflect.Bool {
		return numberOf(v.kind, atomic.AddUint64(v.bits, d))
	}
	for {
		old := atomic.LoadUint64(v.bits)
		sum := addBits("Value.Add", v.kind, old, d)
		if atomic.CompareAndSwapUint64(v.bits, old, sum) {
			return numberOf(v.kind, sum)
		}
	}
}

// GetLock is the Value's lock, for read-modify-write sequences:
//
//	v.GetLock().Lock()
//	v.Set(v.Get().(int) + 1)
//	v.GetLock().Unlock()
func (v *Value) GetLock() *Lock { return v.lock }

// String is like Value(int, 5).
func (v *Value) String() string { return fmt.Sprintf("Value(%v, %v)", numberTypes[v.kind], v.Get()) }

// Array is a fixed-length sequence of numbers or bools in shared memory,
// Python's multiprocessing.Array. Elements take their Go size (an []int8 of
// n takes n bytes), and each is read and written atomically.
type Array struct {
	kind reflect.Kind
	size int // bytes per element
	n    int
	data []byte
	lock *Lock
	ref  shm.Ref
}

const arrayHeader = 64 // lock word, kind, length; the elements start a cache line

// NewArray makes an Array holding a copy of the slice initial, an []int,
// []float64, []byte, []bool... (elements of the types NewValue takes). To
// make one of n zeros: mp.NewArray(make([]float64, n)).
func NewArray(initial any) *Array {
	s := reflect.ValueOf(initial)
	if s.Kind() != reflect.Slice || numberTypes[s.Type().Elem().Kind()] != s.Type().Elem() {
		panic(fmt.Errorf("mp: NewArray: give a slice of %s (e.g. make([]int, 10)), not a %T", supportedNumbers, initial))
	}
	k := s.Type().Elem().Kind()
	size := int(s.Type().Elem().Size())
	// Rounded up to whole words: a narrow element is stored within one.
	r, ref := allocShared("NewArray", arrayHeader+(s.Len()*size+7)&^7)
	b, err := r.Bytes(ref, arrayHeader)
	if err != nil {
		panic(fmt.Errorf("mp: NewArray: %w", err))
	}
	atomic.StoreUint64((*uint64)(unsafe.Pointer(&b[8])), uint64(s.Len()))
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&b[4])), uint32(k))
	a, err := openArray(r, ref)
	if err != nil {
		panic(fmt.Errorf("mp: NewArray: %w", err))
	}
	for i := range a.n {
		bits, _ := bitsOf(k, s.Index(i).Interface())
		a.store(i, bits)
	}
	r.Pin(ref) // as a Value's
	rememberShared(arrayKind, ref, a)
	return a
}

func openArray(r *shm.Region, ref shm.Ref) (*Array, error) {
	b, err := r.Bytes(ref, arrayHeader)
	if err != nil {
		return nil, err
	}
	k := reflect.Kind(atomic.LoadUint32((*uint32)(unsafe.Pointer(&b[4]))))
	t := numberTypes[k]
	if t == nil {
		return nil, fmt.Errorf("no Array at %#x", uint64(ref))
	}
	n64 := atomic.LoadUint64((*uint64)(unsafe.Pointer(&b[8])))
	// Bounded by its segment before it is multiplied (which could wrap).
	if segSize, err := r.SegmentSize(ref); err != nil || n64 > uint64(segSize)/uint64(t.Size()) {
		return nil, fmt.Errorf("no Array at %#x (a length of %d)", uint64(ref), n64)
	}
	n := int(n64)
	all, err := r.Bytes(ref, arrayHeader+n*int(t.Size()))
	if err != nil {
		return nil, err
	}
	lock, err := sharedLockAt(ref)
	if err != nil {
		return nil, err
	}
	return &Array{kind: k, size: int(t.Size()), n: n, data: all[arrayHeader:], lock: lock, ref: ref}, nil
}

// SharedRef is how the array crosses to another process (codec.Shared).
func (a *Array) SharedRef() (kind string, id uint64) { return arrayKind, uint64(a.ref) }

// load and store move element i's bits with one atomic operation: 8- and
// 4-byte elements directly, narrower ones within their aligned 4-byte word
// (Go has no atomics on bytes; the elements sharing the word are kept).
func (a *Array) load(i int) uint64 {
	switch a.size {
	case 8:
		return atomic.LoadUint64((*uint64)(unsafe.Pointer(&a.data[i*8])))
	case 4:
		return uint64(atomic.LoadUint32((*uint32)(unsafe.Pointer(&a.data[i*4]))))
	}
	w, shift, mask := a.narrow(i)
	return uint64(atomic.LoadUint32(w) >> shift & mask)
}

func (a *Array) store(i int, bits uint64) {
	switch a.size {
	case 8:
		atomic.StoreUint64((*uint64)(unsafe.Pointer(&a.data[i*8])), bits)
		return
	case 4:
		atomic.StoreUint32((*uint32)(unsafe.Pointer(&a.data[i*4])), uint32(bits))
		return
	}
	w, shift, mask := a.narrow(i)
	for {
		old := atomic.LoadUint32(w)
		if atomic.CompareAndSwapUint32(w, old, old&^(mask<<shift)|(uint32(bits)&mask)<<shift) {
			return
		}
	}
}

// narrow locates a 1- or 2-byte element in its 4-byte word (little-endian:
// the first byte is the low one).
func (a *Array) narrow(i int) (w *uint32, shift, mask uint32) {
	off := i * a.size
	w = (*uint32)(unsafe.Pointer(&a.data[off&^3]))
	return w, uint32(off&3) * 8, 1<<(8*a.size) - 1
}

func (a *Array) check(op string, i int) {
	if i < 0 || i >= a.n {
		panic(fmt.Errorf("mp: %s: index %d out of range [0:%d]", op, i, a.n))
	}
}

// Len is the number of elements.
func (a *Array) Len() int { return a.n }

// Get returns element i, with the element type (a.Get(0).(float64)).
func (a *Array) Get(i int) any {
	a.check("Array.Get", i)
	return numberOf(a.kind, a.load(i))
}

// Set stores x as element i; x must have the element type (an integer is
// accepted for a float).
func (a *Array) Set(i int, x any) {
	a.check("Array.Set", i)
	bits, ok := bitsOf(a.kind, x)
	if !ok {
		panic(typeMismatch("Array.Set", a.kind, x))
	}
	a.store(i, bits)
}

// Slice returns a copy of the elements as a slice of the type the Array was
// made from: a.Slice().([]int).
func (a *Array) Slice() any {
	s := reflect.MakeSlice(reflect.SliceOf(numberTypes[a.kind]), a.n, a.n)
	for i := range a.n {
		s.Index(i).Set(reflect.ValueOf(numberOf(a.kind, a.load(i))))
	}
	return s.Interface()
}

// GetLock is the Array's lock, for sequences of reads and writes that must
// not interleave with other processes' (a Lock, as Value's; see there).
func (a *Array) GetLock() *Lock { return a.lock }

// String is like Array(int, [1 2 3]); long arrays are cut after 100
// elements.
func (a *Array) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Array(%v, [", numberTypes[a.kind])
	for i := range min(a.n, 100) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, numberOf(a.kind, a.load(i)))
	}
	if a.n > 100 {
		fmt.Fprintf(&b, " ... (%d in all)", a.n)
	}
	b.WriteString("])")
	return b.String()
}
