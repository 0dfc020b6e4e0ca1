package shm

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func newTestRing(t *testing.T, maxItems int, capacity uint64) *Ring {
	t.Helper()
	r := newRegion(t)
	ref, err := newRing(r, maxItems, capacity)
	if err != nil {
		t.Fatal(err)
	}
	q, err := OpenRing(r, ref)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// A small ring wraps many times; records come out in order, whole.
func TestRingWrapsAndKeepsOrder(t *testing.T) {
	q := newTestRing(t, 0, 64<<10)
	ctx := context.Background()
	next, got, wraps, lastLap := 0, 0, 0, uint64(0)
	var buf []byte
	for round := range 200 {
		for range round%37 + 1 {
			rec := fmt.Appendf(nil, "record %d %0*d", next, next%700, 0)
			if err := q.Put(ctx, rec, false, WaitOptions{NoWait: true}); err != nil {
				t.Fatalf("Put %d: %v", next, err)
			}
			next++
			lap := q.hdr.state.tail / q.cap
			if lap > lastLap {
				wraps++
			}
			lastLap = lap
		}
		for range round%29 + 1 + (round%3)*40 {
			var err error
			buf, err = q.Get(ctx, buf[:0], WaitOptions{NoWait: true})
			if errors.Is(err, ErrEmpty) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("record %d %0*d", got, got%700, 0); string(buf) != want {
				t.Fatalf("got %.40q, want %.40q", buf, want)
			}
			got++
		}
	}
	if wraps == 0 {
		t.Fatal("the ring never wrapped")
	}
	if q.Len() != next-got {
		t.Fatalf("Len %d, want %d", q.Len(), next-got)
	}
}

func TestRingBoundsAndWaits(t *testing.T) {
	q := newTestRing(t, 2, 64<<10)
	ctx := context.Background()
	for range 2 {
		if err := q.Put(ctx, []byte("x"), false, WaitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Put(ctx, []byte("x"), false, WaitOptions{NoWait: true}); !errors.Is(err, ErrFull) {
		t.Fatalf("Put into a full ring: %v", err)
	}
	if err := q.Put(ctx, []byte("x"), false, WaitOptions{Deadline: time.Now().Add(5 * time.Millisecond)}); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Put with a deadline: %v", err)
	}
	if err := q.Put(ctx, make([]byte, 20<<10), false, WaitOptions{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put of a large record: %v", err)
	}
	for range 2 {
		if _, err := q.Get(ctx, nil, WaitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := q.Get(cctx, nil, WaitOptions{}); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Get when cancelled: %v", err)
	}
	stop := errors.New("no writer")
	if _, err := q.Get(ctx, nil, WaitOptions{Check: func() error { return stop }}); err != stop {
		t.Fatalf("Get with a failing check: %v", err)
	}
}

func TestRingTasks(t *testing.T) {
	q := newTestRing(t, 0, 64<<10)
	ctx := context.Background()
	q.Put(ctx, []byte("a"), true, WaitOptions{})
	if err := q.JoinTasks(ctx, WaitOptions{NoWait: true}); !errors.Is(err, ErrTimeout) {
		t.Fatalf("JoinTasks with a task left: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- q.JoinTasks(ctx, WaitOptions{}) }()
	q.Get(ctx, nil, WaitOptions{})
	if err := q.TaskDone(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := q.TaskDone(ctx); !errors.Is(err, ErrTooManyDone) {
		t.Fatalf("a TaskDone too many: %v", err)
	}
}

// A holder that died between marking its journal valid and finishing the
// commit: the next holder takes the lock over and applies the journal.
func TestRingRedoesADeadHoldersCommit(t *testing.T) {
	q := newTestRing(t, 0, 64<<10)
	ctx := context.Background()
	q.Put(ctx, []byte("first"), false, WaitOptions{})
	// Forge the dead process's half-done Put of "second".
	s := q.hdr.state
	off := s.tail
	copy(q.data[off+recHeader:], "second")
	q.data[off] = 6
	s.tail += alignRecord(6)
	s.count++
	q.hdr.journal = s
	atomic.StoreUint32(&q.hdr.valid, 1)
	const deadPid = 99999999 // above any pid_max
	atomic.StoreUint32(&q.hdr.lock, deadPid)
	for _, want := range []string{"first", "second"} {
		got, err := q.Get(ctx, nil, WaitOptions{NoWait: true})
		if err != nil || string(got) != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
}
