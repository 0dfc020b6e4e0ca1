package shm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
)

// A record whose length word was overwritten (a stray write into shared
// memory) gives an error, not a panic of the reader.
func TestRingCorruptRecordIsAnError(t *testing.T) {
	q := newTestRing(t, 0, 64<<10)
	ctx := context.Background()
	if err := q.Put(ctx, []byte("first"), false, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(q.data[0:], 1<<30)
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Get of a corrupt record panicked: %v", p)
		}
	}()
	if _, err := q.Get(ctx, nil, WaitOptions{NoWait: true}); err == nil {
		t.Fatal("Get of a corrupt record: no error")
	}
}

// A Get killed after it read its record and before it committed has taken
// nothing: the record is still there, whole, for the next reader (the
// memory of an emptied ring must not be given back before the commit that
// empties it).
func TestRingGetKilledBeforeCommitTakesNothing(t *testing.T) {
	q := newTestRing(t, 0, 1<<20)
	ctx := context.Background()
	filler := make([]byte, 1000)
	for range 100 { // past keepBytes, which an emptied ring keeps
		if err := q.Put(ctx, filler, false, WaitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Put(ctx, []byte("last"), false, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, err := q.Get(ctx, nil, WaitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	const deadPid = 99999999 // above any pid_max
	getBeforeCommit = func() {
		atomic.StoreUint32(&q.hdr.lock, deadPid) // as if this process died here
		runtime.Goexit()
	}
	done := make(chan struct{})
	go func() { defer close(done); q.Get(ctx, nil, WaitOptions{}) }()
	<-done
	getBeforeCommit = nil
	got, err := q.Get(ctx, nil, WaitOptions{NoWait: true})
	if err != nil || string(got) != "last" {
		t.Fatalf("after a Get killed before its commit: got %q, %v; want \"last\"", got, err)
	}
}

// A ring nearly full in bytes has records past its end that wrapped onto
// memory its readers consumed but did not give back yet; giving that
// memory back (a chunk at a time) must not zero those records.
func TestRingPunchSparesWrappedRecords(t *testing.T) {
	q := newTestRing(t, 0, 4*punchChunk)
	ctx := context.Background()
	rec := func(i int) []byte {
		b := make([]byte, 60000)
		for j := range b {
			b[j] = byte(i*7 + j%251 + 1)
		}
		return b
	}
	put := 0
	fill := func() {
		for {
			err := q.Put(ctx, rec(put), false, WaitOptions{NoWait: true})
			if errors.Is(err, ErrFull) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			put++
		}
	}
	got := 0
	get := func() {
		b, err := q.Get(ctx, nil, WaitOptions{NoWait: true})
		if err != nil {
			t.Fatalf("Get %d: %v", got, err)
		}
		if !bytes.Equal(b, rec(got)) {
			t.Fatalf("record %d came out changed (%d bytes, starting %v)", got, len(b), b[:min(len(b), 8)])
		}
		got++
	}
	fill()
	for range 8 { // the head stays in the first chunk: nothing given back yet
		get()
	}
	fill() // wraps onto the first chunk's consumed memory
	if q.hdr.state.tail <= q.cap {
		t.Fatalf("the ring did not wrap (tail %d)", q.hdr.state.tail)
	}
	for got < put {
		get()
	}
}

// A ring header whose capacity was overwritten does not open (a zero
// capacity divided every offset by zero).
func TestOpenRingRefusesABadCapacity(t *testing.T) {
	r := newRegion(t)
	ref, err := newRing(r, 0, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	q, err := OpenRing(r, ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []uint64{0, 12345} {
		q.hdr.capacity = c
		if _, err := OpenRing(r, ref); err == nil {
			t.Errorf("opened a ring of capacity %d", c)
		}
	}
}
