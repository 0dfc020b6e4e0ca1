package shm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Ring is a queue of byte records in shared memory, the body of mp's Queue
// and of each direction of a Pipe. It has a segment of its own: a header
// page, then RingCapacity bytes of data, sparse, so that an unbounded queue
// costs only the pages its records occupy.
//
// Records are length-prefixed and 8-byte aligned; one never straddles the
// end of the data area (a wrap marker sends the reader back to its start).
// Every change happens under the header's Mutex, and goes through a redo
// journal: the new state (head, tail, count, unfinished tasks, punch mark)
// is written to the journal, the journal is marked valid, the state is
// overwritten, the journal is marked invalid. So a process killed at any
// point while holding the lock leaves either the old state or a valid
// journal that the next holder (which takes the lock over from the dead
// one) applies again. A record exists for readers once the tail that covers
// it is committed, and is gone once the head that passes it is: a Put that
// returned has its record in shared memory, and a Get that a kill cut short
// before its commit has taken nothing.
//
// When the ring empties, head and tail go back to the start, so a queue
// used for ping-pong stays on its first pages; consumed memory is punched
// (given back to the system) a chunk at a time behind the readers, and
// whatever was dirtied beyond the first keepBytes when the ring empties.
type Ring struct {
	hdr  *ringHeader
	data []byte
	cap  uint64 // len(data): RingCapacity, or less in tests of wrapping
	mu   Mutex
}

// ringState is what a commit changes, as a whole.
type ringState struct {
	head, tail uint64 // positions in bytes; offset = position % RingCapacity
	count      uint64 // records in [head, tail)
	unfinished uint64 // records put and not yet marked done (JoinableQueue)
	punched    uint64 // positions before this are given back to the system
}

type ringHeader struct {
	magic    uint64
	lock     uint32 // the Mutex word
	notEmpty uint32 // bumped when a record is committed (or by Notify)
	notFull  uint32 // bumped when a record is taken
	allDone  uint32 // bumped when unfinished reaches zero
	sleepers uint32 // waiters asleep on notEmpty, notFull or allDone: wakes only when some
	valid    uint32 // the journal holds a state that must be applied
	maxItems uint64 // 0: unbounded
	capacity uint64 // of the data area
	state    ringState
	journal  ringState
}

const (
	ringMagic = 0x676f6d702d726e31 // "gomp-rn1"
	// RingCapacity is a ring's data area: 1 GiB of address space, of
	// which only the pages in use cost memory.
	RingCapacity  = 1 << 30
	ringHeaderLen = 4096
	// MaxRecord is the largest record a ring takes (a quarter of it).
	MaxRecord = RingCapacity / 4
	// punchChunk is how much consumed memory is given back at once.
	punchChunk = 1 << 20
	// keepBytes stay mapped when the ring empties: the pages a small
	// queue keeps reusing.
	keepBytes = 64 << 10
	recHeader = 4
	wrapMark  = ^uint32(0)
	pageSize  = 4096
)

// Errors of rings. A ring that is full in bytes (RingCapacity of records
// not yet taken) counts as full.
var (
	ErrEmpty    = errors.New("empty")
	ErrFull     = errors.New("full")
	ErrTooLarge = errors.New("record larger than a ring takes")
	// ErrTooManyDone is Done called more often than records were put.
	ErrTooManyDone = errors.New("task done called too many times")
	// ErrCorrupt is a record that cannot be (its length word was
	// overwritten): the ring is left as it was.
	ErrCorrupt = errors.New("shm: corrupt record in a queue")
)

// getBeforeCommit, when set (by tests), runs in Get just before its commit.
var getBeforeCommit func()

// NewRing makes a ring in a segment of its own; maxItems bounds its
// records (0: no bound but the data area).
func NewRing(r *Region, maxItems int) (Ref, error) {
	return newRing(r, maxItems, RingCapacity)
}

func newRing(r *Region, maxItems int, capacity uint64) (Ref, error) {
	ref, err := r.AllocSegment(int64(ringHeaderLen + capacity))
	if err != nil {
		return 0, err
	}
	b, err := r.Bytes(ref, ringHeaderLen)
	if err != nil {
		return 0, err
	}
	hdr := (*ringHeader)(unsafe.Pointer(&b[0]))
	hdr.maxItems = uint64(max(maxItems, 0))
	hdr.capacity = capacity
	atomic.StoreUint64(&hdr.magic, ringMagic)
	return ref, nil
}

// OpenRing maps the ring at ref, which NewRing made in some process of the
// region.
func OpenRing(r *Region, ref Ref) (*Ring, error) {
	b, err := r.Bytes(ref, ringHeaderLen)
	if err != nil {
		return nil, err
	}
	hdr := (*ringHeader)(unsafe.Pointer(&b[0]))
	if atomic.LoadUint64(&hdr.magic) != ringMagic {
		return nil, fmt.Errorf("shm: object %#x is not a ring", uint64(ref))
	}
	if c := hdr.capacity; c == 0 || c%8 != 0 || c > RingCapacity {
		return nil, fmt.Errorf("shm: the ring at %#x has a broken capacity (%d)", uint64(ref), c)
	}
	b, err = r.Bytes(ref, int(ringHeaderLen+hdr.capacity))
	if err != nil {
		return nil, err
	}
	q := &Ring{hdr: hdr, data: b[ringHeaderLen:], cap: hdr.capacity}
	q.mu = MutexAt(&hdr.lock)
	return q, nil
}

// lock takes the ring's mutex, repairing the state if its holder died.
func (q *Ring) lock(ctx context.Context, deadline time.Time) error {
	recovered, err := q.mu.Lock(ctx, deadline)
	if err != nil {
		return err
	}
	if recovered != 0 && atomic.LoadUint32(&q.hdr.valid) == 1 {
		q.hdr.state = q.hdr.journal // redo the dead holder's commit
		atomic.StoreUint32(&q.hdr.valid, 0)
	}
	return nil
}

func (q *Ring) unlock() { q.mu.Unlock() }

// commit makes s the ring's state, in a way a kill cannot tear.
func (q *Ring) commit(s ringState) {
	q.hdr.journal = s
	atomic.StoreUint32(&q.hdr.valid, 1)
	q.hdr.state = s
	atomic.StoreUint32(&q.hdr.valid, 0)
}

// WaitOptions say how long a Put or Get may wait.
type WaitOptions struct {
	NoWait   bool      // fail at once (ErrFull, ErrEmpty) rather than wait
	Deadline time.Time // zero: none; past it, ErrTimeout
	// Check, if set, is called before each sleep, and at least every
	// CheckEvery while asleep: an error from it ends the wait (a pipe's
	// reader asks whether any writer is left).
	Check      func() error
	CheckEvery time.Duration
}

// Put appends rec as a record. With task, the record also counts as an
// unfinished task (JoinableQueue), in the same commit.
func (q *Ring) Put(ctx context.Context, rec []byte, task bool, w WaitOptions) error {
	if limit := q.cap / 4; uint64(len(rec)) > limit {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(rec), limit)
	}
	need := alignRecord(len(rec))
	for {
		if err := q.lock(ctx, w.Deadline); err != nil {
			return err
		}
		s := q.hdr.state
		pos, ok := q.fit(s, need)
		if ok && (q.hdr.maxItems == 0 || s.count < q.hdr.maxItems) {
			off := pos % q.cap
			if pos != s.tail { // no room before the end: wrap
				binary.LittleEndian.PutUint32(q.data[s.tail%q.cap:], wrapMark)
			}
			binary.LittleEndian.PutUint32(q.data[off:], uint32(len(rec)))
			copy(q.data[off+recHeader:], rec)
			s.tail = pos + need
			s.count++
			if task {
				s.unfinished++
			}
			q.commit(s)
			q.unlock()
			q.bump(&q.hdr.notEmpty)
			return nil
		}
		if err := q.sleep(ctx, &q.hdr.notFull, ErrFull, w); err != nil {
			return err
		}
	}
}

// fit is where a record of need bytes goes after s.tail, and whether the
// data area has room for it.
func (q *Ring) fit(s ringState, need uint64) (uint64, bool) {
	pos := s.tail
	if left := q.cap - pos%q.cap; left < need {
		pos += left
	}
	return pos, pos+need-s.head <= q.cap
}

// Get takes the oldest record, appending it to dst.
func (q *Ring) Get(ctx context.Context, dst []byte, w WaitOptions) ([]byte, error) {
	for {
		if err := q.lock(ctx, w.Deadline); err != nil {
			return dst, err
		}
		s := q.hdr.state
		if s.count > 0 {
			off := s.head % q.cap
			n := binary.LittleEndian.Uint32(q.data[off:])
			if n == wrapMark {
				s.head += q.cap - off
				off = 0
				n = binary.LittleEndian.Uint32(q.data[off:])
			}
			if off+recHeader+uint64(n) > q.cap || s.head+alignRecord(int(n)) > s.tail {
				q.unlock()
				return dst, fmt.Errorf("%w: a record of %d bytes at %d, the queue's data ending at %d",
					ErrCorrupt, n, s.head, s.tail)
			}
			dst = append(dst, q.data[off+recHeader:off+recHeader+uint64(n)]...)
			s.head += alignRecord(int(n))
			s.count--
			emptied, punched, tail := s.count == 0, s.punched, s.tail
			if emptied {
				s.head, s.tail, s.punched = 0, 0, 0
			}
			if getBeforeCommit != nil {
				getBeforeCommit()
			}
			q.commit(s)
			if emptied { // only once committed: until then the record is the queue's
				q.punch(punched, tail, true)
			}
			if done := s.head &^ (punchChunk - 1); done > s.punched {
				// Not the memory that records past the end of the data
				// area wrapped onto (positions from tail-cap on, modulo
				// cap, are live); it is given back once those are taken.
				from := s.punched
				if s.tail > q.cap {
					from = max(from, (s.tail-q.cap+pageSize-1)&^(pageSize-1))
				}
				if from < done {
					q.punch(from, done, false)
				}
				s.punched = done
				q.commit(s)
			}
			q.unlock()
			q.bump(&q.hdr.notFull)
			return dst, nil
		}
		if err := q.sleep(ctx, &q.hdr.notEmpty, ErrEmpty, w); err != nil {
			return dst, err
		}
	}
}

// WaitNotEmpty returns nil once the ring has a record (a pipe's Poll).
func (q *Ring) WaitNotEmpty(ctx context.Context, w WaitOptions) error {
	for {
		if err := q.lock(ctx, w.Deadline); err != nil {
			return err
		}
		if q.hdr.state.count > 0 {
			q.unlock()
			return nil
		}
		if err := q.sleep(ctx, &q.hdr.notEmpty, ErrEmpty, w); err != nil {
			return err
		}
	}
}

// sleep is called with the lock held and the condition false: it releases
// the lock and waits for word to change, or fails (fail when NoWait, the
// deadline's ErrTimeout, ctx's error, Check's error).
func (q *Ring) sleep(ctx context.Context, word *uint32, fail error, w WaitOptions) error {
	if w.NoWait {
		q.unlock()
		return fail
	}
	if w.Check != nil {
		if err := w.Check(); err != nil {
			q.unlock()
			return err
		}
	}
	// Sampled under the lock: a commit after this changes the word, so
	// the wait cannot miss it.
	seq := atomic.LoadUint32(word)
	atomic.AddUint32(&q.hdr.sleepers, 1)
	q.unlock()
	every := time.Duration(0)
	if w.Check != nil {
		every = w.CheckEvery
	}
	err := Wait(ctx, word, seq, w.Deadline, every)
	atomic.AddUint32(&q.hdr.sleepers, ^uint32(0))
	return err
}

// bump tells the waiters on word that it changed, with a wake only if
// someone sleeps (a wake is a system call).
func (q *Ring) bump(word *uint32) {
	atomic.AddUint32(word, 1)
	if atomic.LoadUint32(&q.hdr.sleepers) != 0 {
		WakeAll(word)
	}
}

// Notify wakes the ring's readers to look again (a pipe's writer left).
func (q *Ring) Notify() { q.bump(&q.hdr.notEmpty) }

// punch gives back the memory of positions [from, to), keeping the first
// keepBytes of the data area mapped when keepStart.
func (q *Ring) punch(from, to uint64, keepStart bool) {
	to = (to + pageSize - 1) &^ (pageSize - 1)
	for from < to {
		off := from % q.cap
		end := min(q.cap, off+(to-from))
		lo := off
		if keepStart && lo < keepBytes {
			lo = min(keepBytes, end)
		}
		if end > lo {
			madviseRemove(q.data[lo:end])
		}
		from += end - off
	}
}

// TaskDone marks one record done (JoinableQueue's task_done).
func (q *Ring) TaskDone(ctx context.Context) error {
	if err := q.lock(ctx, time.Time{}); err != nil {
		return err
	}
	s := q.hdr.state
	if s.unfinished == 0 {
		q.unlock()
		return ErrTooManyDone
	}
	s.unfinished--
	q.commit(s)
	q.unlock()
	if s.unfinished == 0 {
		q.bump(&q.hdr.allDone)
	}
	return nil
}

// JoinTasks waits until every record put as a task is done.
func (q *Ring) JoinTasks(ctx context.Context, w WaitOptions) error {
	for {
		if err := q.lock(ctx, w.Deadline); err != nil {
			return err
		}
		if q.hdr.state.unfinished == 0 {
			q.unlock()
			return nil
		}
		if err := q.sleep(ctx, &q.hdr.allDone, ErrTimeout, w); err != nil {
			return err
		}
	}
}

// Len is the number of records, as of a moment ago (Python's qsize).
func (q *Ring) Len() int {
	s := q.snapshot()
	return int(s.count)
}

// MaxItems is the bound given to NewRing (0: none).
func (q *Ring) MaxItems() int { return int(atomic.LoadUint64(&q.hdr.maxItems)) }

// snapshot reads the state under the lock, which it takes without a
// deadline: a moment, unless a holder died (then it repairs).
func (q *Ring) snapshot() ringState {
	if err := q.lock(context.Background(), time.Time{}); err != nil {
		return ringState{}
	}
	s := q.hdr.state
	q.unlock()
	return s
}

// madviseRemove frees the tmpfs pages behind b (they read as zeros
// afterwards, in every process). A failure only leaves memory in use.
func madviseRemove(b []byte) {
	const madvRemove = 9 // MADV_REMOVE
	syscall.Madvise(b, madvRemove)
}

func alignRecord(n int) uint64 { return (uint64(n) + recHeader + 7) &^ 7 }
