package mp

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gomp/mp/shm"
)

// Queue is a first-in first-out queue shared between processes, as
// Python's multiprocessing.Queue: any number of processes put and get, and
// each value comes out as a copy with the type it went in with (values of
// the notebook's types keep their methods).
//
//	q := mp.NewQueue()
//	p := mp.NewProcess(worker, q) // worker(q *mp.Queue) { q.Put(42) }
//	p.Start()
//	fmt.Println(q.Get()) // 42
//
// Its items live in the kernel's shared memory. Put copies the value there
// before it returns: unlike Python's, whose feeder thread may still hold it,
// an item whose Put returned is in the queue even if its process is killed
// right after. A process killed in the middle of a Put or a Get does not
// break the queue for the others, and loses no item but possibly the one it
// was getting.
type Queue struct {
	// ring is mapped while the Queue is reachable: a cleanup on the Queue
	// releases the object, and unmaps it when this process has no other
	// handle, so every method keeps q alive while it uses the ring.
	ring     *shm.Ring
	ref      shm.Ref
	kind     string // how it crosses processes: which constructor made it
	joinable bool   // Put counts a task (JoinableQueue)
	closed   atomic.Bool
}

// Errors of queues, for errors.Is: Python's queue.Empty and queue.Full, and
// the ValueError of a closed queue.
var (
	ErrEmpty  = errors.New("the queue is empty")
	ErrFull   = errors.New("the queue is full")
	ErrClosed = errors.New("closed in this process")
)

const (
	kindQueue          = "queue"
	kindJoinableQueue  = "joinable-queue"
	kindSimpleQueue    = "simple-queue"
	maxQueueBufferKeep = 64 << 10 // buffers larger than this are not pooled
)

func init() {
	for _, kind := range []string{kindQueue, kindJoinableQueue, kindSimpleQueue} {
		freedKinds[kind] = func(id uint64) shm.Ref { return shm.Ref(id) }
		registerSharedKind(kind, func(r *shm.Region, ref shm.Ref) (any, error) {
			q, err := openQueue(r, ref, kind)
			if err != nil {
				return nil, err
			}
			return q.handle(r)
		})
	}
}

// handle is the handle of q's kind (q itself, or what wraps it), tracked:
// the queue is freed once no process has a handle on it and no message
// carries it.
func (q *Queue) handle(r *shm.Region) (any, error) {
	key := sharedKey{q.kind, q.ref}
	switch q.kind {
	case kindJoinableQueue:
		return trackShared(r, key, q.ref, &JoinableQueue{Queue: q}, q, nil)
	case kindSimpleQueue:
		return trackShared(r, key, q.ref, &SimpleQueue{q: q}, q, nil)
	}
	return trackShared(r, key, q.ref, q, q, nil)
}

// NewQueue makes a queue; NewQueue(n) one that holds at most n items, so
// that Put waits (or fails, in its timeout forms) while it is full. Without
// a bound, or with n <= 0, it takes items until its 1 GiB of address space
// is full (only the pages in use cost memory).
func NewQueue(maxsize ...int) *Queue {
	return newQueue("NewQueue", kindQueue, maxsize).(*Queue)
}

// newQueue makes a queue of kind and returns its tracked handle.
func newQueue(op, kind string, maxsize []int) any {
	if len(maxsize) > 1 {
		misuse(op, "takes at most one maxsize, got %d", len(maxsize))
	}
	n := 0
	if len(maxsize) == 1 {
		n = maxsize[0]
	}
	r := mustRegion(op)
	ref, err := allocRetrying(func() (shm.Ref, error) { return shm.NewRing(r, n) })
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w%s", op, err, limitHint(err, "queue")))
	}
	q, err := openQueue(r, ref, kind)
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w", op, err))
	}
	h, err := q.handle(r)
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w", op, err))
	}
	return h
}

// limitHint says how to avoid a limit of shared memory.
func limitHint(err error, what string) string {
	if !errors.Is(err, shm.ErrLimit) {
		return ""
	}
	return fmt.Sprintf(" (each %s alive counts; one that no variable refers to any more is freed, so drop the ones you no longer use, or reuse one)", what)
}

func openQueue(r *shm.Region, ref shm.Ref, kind string) (*Queue, error) {
	ring, err := shm.OpenRing(r, ref)
	if err != nil {
		return nil, err
	}
	return &Queue{ring: ring, ref: ref, kind: kind, joinable: kind == kindJoinableQueue}, nil
}

// SharedRef makes a queue cross processes as a reference to the same
// queue.
func (q *Queue) SharedRef() (string, uint64) { return q.kind, uint64(q.ref) }

// Put adds v at the end of the queue, waiting while the queue is full. It
// panics if v cannot be copied (a channel, a func...: the message names its
// type), if the queue is closed in this process, or if the cell is
// interrupted while it waits.
func (q *Queue) Put(v any) {
	if err := q.put("Put", v, shm.WaitOptions{}); err != nil {
		panic(err)
	}
}

// PutTimeout is Put waiting at most d while the queue is full: then it
// returns an error that errors.Is ErrFull.
func (q *Queue) PutTimeout(v any, d time.Duration) error {
	return q.put("PutTimeout", v, shm.WaitOptions{Deadline: time.Now().Add(d)})
}

// PutNowait is Put without waiting: an error that errors.Is ErrFull if the
// queue is full.
func (q *Queue) PutNowait(v any) error {
	return q.put("PutNowait", v, shm.WaitOptions{NoWait: true})
}

// Get removes and returns the item at the front of the queue, waiting while
// the queue is empty. It panics if the cell is interrupted while it waits.
func (q *Queue) Get() any {
	v, err := q.get("Get", shm.WaitOptions{})
	if err != nil {
		panic(err)
	}
	return v
}

// GetTimeout is Get waiting at most d: then it returns an error that
// errors.Is ErrEmpty.
func (q *Queue) GetTimeout(d time.Duration) (any, error) {
	return q.get("GetTimeout", shm.WaitOptions{Deadline: time.Now().Add(d)})
}

// GetNowait is Get without waiting: an error that errors.Is ErrEmpty if the
// queue is empty.
func (q *Queue) GetNowait() (any, error) {
	return q.get("GetNowait", shm.WaitOptions{NoWait: true})
}

// Qsize is the number of items in the queue, as of a moment ago (other
// processes may be putting and getting).
func (q *Queue) Qsize() int {
	defer runtime.KeepAlive(q) // see Queue.ring
	return q.ring.Len()
}

// Empty reports whether the queue is empty, as of a moment ago.
func (q *Queue) Empty() bool { return q.Qsize() == 0 }

// Full reports whether the queue holds its maxsize, as of a moment ago.
func (q *Queue) Full() bool {
	defer runtime.KeepAlive(q)
	n := q.ring.MaxItems()
	return n > 0 && q.ring.Len() >= n
}

// Close says this process will use the queue no more: Put and Get on it
// here then fail. Items already put stay in the queue for the other
// processes (Python's close, except that nothing needs flushing).
func (q *Queue) Close() { q.closed.Store(true) }

// JoinThread is there for Python's join_thread, which waits until the
// feeder thread has written what the process put. There is no feeder
// thread here: Put has written the item when it returns, so JoinThread
// returns at once. As in Python, it may be called only after Close.
func (q *Queue) JoinThread() {
	if !q.closed.Load() {
		misuse("JoinThread", "the queue is not closed: call Close first (as in Python)")
	}
}

// CancelJoinThread is there for Python's cancel_join_thread; it does
// nothing, since no data can be left behind in this process (see
// JoinThread).
func (q *Queue) CancelJoinThread() {}

func (q *Queue) String() string {
	return fmt.Sprintf("<mp.Queue %#x: %d items>", uint64(q.ref), q.Qsize())
}

// itemBuffers keep the encodings of items between uses.
var itemBuffers = sync.Pool{New: func() any { return new([]byte) }}

func getBuffer() *[]byte { return itemBuffers.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) <= maxQueueBufferKeep {
		*b = (*b)[:0]
		itemBuffers.Put(b)
	}
}

func (q *Queue) put(op string, v any, w shm.WaitOptions) error {
	if q.closed.Load() {
		return fmt.Errorf("mp: Queue.%s: %w", op, ErrClosed)
	}
	buf := getBuffer()
	defer putBuffer(buf)
	// Encoded before taking the lock: the critical section only copies.
	rec, sent, err := encodeItem((*buf)[:0], v, carriedInRing)
	*buf = rec
	if err != nil {
		return fmt.Errorf("mp: Queue.%s: %w", op, err)
	}
	defer runtime.KeepAlive(q)
	if err := q.ring.Put(cellContext(), rec, q.joinable, w); err != nil {
		sent.cancel()
		return ringError("Queue."+op, err, ErrFull)
	}
	return nil
}

func (q *Queue) get(op string, w shm.WaitOptions) (any, error) {
	if q.closed.Load() {
		return nil, fmt.Errorf("mp: Queue.%s: %w", op, ErrClosed)
	}
	buf := getBuffer()
	defer putBuffer(buf)
	defer runtime.KeepAlive(q)
	rec, err := q.ring.Get(cellContext(), (*buf)[:0], w)
	*buf = rec
	if err != nil {
		return nil, ringError("Queue."+op, err, ErrEmpty)
	}
	v, err := decodeItem(rec, true)
	if err != nil {
		return nil, fmt.Errorf("mp: Queue.%s: %w", op, err)
	}
	return v, nil
}

// ringError turns a ring's errors into mp's: a wait that timed out is
// Python's Full for a Put, Empty for a Get (timedOut).
func ringError(op string, err, timedOut error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, shm.ErrEmpty):
		return fmt.Errorf("mp: %s: %w", op, ErrEmpty)
	case errors.Is(err, shm.ErrFull):
		return fmt.Errorf("mp: %s: %w", op, ErrFull)
	case errors.Is(err, shm.ErrTimeout):
		return fmt.Errorf("mp: %s: %w", op, timedOut)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("mp: %s: interrupted: %w", op, err)
	}
	return fmt.Errorf("mp: %s: %w", op, err)
}

// JoinableQueue is a Queue whose consumers say when they have finished
// with each item (TaskDone), so that a producer can wait for all of them
// (Join), as Python's multiprocessing.JoinableQueue.
type JoinableQueue struct {
	*Queue
}

// NewJoinableQueue makes a JoinableQueue; maxsize as NewQueue's.
func NewJoinableQueue(maxsize ...int) *JoinableQueue {
	return newQueue("NewJoinableQueue", kindJoinableQueue, maxsize).(*JoinableQueue)
}

// TaskDone says that an item got from the queue has been dealt with. It
// panics when called more times than items were put (Python's
// ValueError).
func (q *JoinableQueue) TaskDone() {
	defer runtime.KeepAlive(q.Queue)
	if err := q.ring.TaskDone(cellContext()); err != nil {
		if errors.Is(err, shm.ErrTooManyDone) {
			misuse("JoinableQueue.TaskDone", "called more times than there were items put")
		}
		panic(fmt.Errorf("mp: JoinableQueue.TaskDone: %w", err))
	}
}

// Join waits until every item put has been got and marked done with
// TaskDone, in any process. It panics if the cell is interrupted. An item
// whose consumer died before its TaskDone is never done: Join then waits
// forever, as in Python (interrupt the cell).
func (q *JoinableQueue) Join() {
	defer runtime.KeepAlive(q.Queue)
	if err := q.ring.JoinTasks(cellContext(), shm.WaitOptions{}); err != nil {
		panic(fmt.Errorf("mp: JoinableQueue.Join: %w", err))
	}
}

func (q *JoinableQueue) String() string {
	return fmt.Sprintf("<mp.JoinableQueue %#x: %d items>", uint64(q.ref), q.Qsize())
}

// SimpleQueue is a queue without a bound, timeouts or size, as Python's
// multiprocessing.SimpleQueue: Put, Get, Empty and Close.
type SimpleQueue struct {
	q *Queue
}

// NewSimpleQueue makes a SimpleQueue.
func NewSimpleQueue() *SimpleQueue {
	return newQueue("NewSimpleQueue", kindSimpleQueue, nil).(*SimpleQueue)
}

// SharedRef makes a SimpleQueue cross processes as a reference.
func (q *SimpleQueue) SharedRef() (string, uint64) { return q.q.SharedRef() }

// Put adds v at the end of the queue (see Queue.Put).
func (q *SimpleQueue) Put(v any) {
	if err := q.q.put("Put", v, shm.WaitOptions{}); err != nil {
		panic(fmt.Errorf("%w (SimpleQueue)", err))
	}
}

// Get removes and returns the item at the front, waiting for one (see
// Queue.Get).
func (q *SimpleQueue) Get() any {
	v, err := q.q.get("Get", shm.WaitOptions{})
	if err != nil {
		panic(fmt.Errorf("%w (SimpleQueue)", err))
	}
	return v
}

// Empty reports whether the queue is empty, as of a moment ago.
func (q *SimpleQueue) Empty() bool { return q.q.Empty() }

// Close says this process will use the queue no more (see Queue.Close).
func (q *SimpleQueue) Close() { q.q.Close() }

func (q *SimpleQueue) String() string {
	return fmt.Sprintf("<mp.SimpleQueue %#x: %d items>", uint64(q.q.ref), q.q.Qsize())
}
