package mp

import (
	"sync/atomic"
	"testing"
	"unsafe"
)

// An Array's length is read from shared memory when another process opens
// it: a length that does not fit its segment is an error, not a handle
// whose every Get panics out of range.
func TestArrayWithACorruptLengthDoesNotOpen(t *testing.T) {
	a := NewArray([]int{1, 2, 3})
	r, err := region()
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Bytes(a.ref, arrayHeader)
	if err != nil {
		t.Fatal(err)
	}
	length := (*uint64)(unsafe.Pointer(&b[8]))
	defer atomic.StoreUint64(length, 3)
	atomic.StoreUint64(length, 1<<61) // times 8 wraps to 0
	if c, err := openArray(r, a.ref); err == nil {
		t.Fatalf("opened an Array of %d elements over %d bytes", c.n, len(c.data))
	}
}
