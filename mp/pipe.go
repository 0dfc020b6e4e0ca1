package mp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"gomp/mp/shm"
)

// Conn is one end of a Pipe, as Python's multiprocessing Connection: what
// one end sends, the other receives, in order, as a copy with the type it
// was sent with.
//
// An end can be passed to children (as a Process argument, inside a
// struct, in a global) and through queues and pipes; every process that
// has received it holds it, as the process that made the pipe holds both
// ends, until it closes it (Close), drops it (a handle the garbage
// collector finds unreachable is closed) or ends. When no process holds an end
// any more, Recv at the other end returns, once the items sent are
// consumed, an error that errors.Is io.EOF (Python's EOFError), instead of
// waiting forever. An end that was sent and not yet received counts as held
// by its sender while the sender lives.
type Conn struct {
	pipe   *pipeHeader
	ref    shm.Ref
	end    int       // 0 or 1: which end this is
	in     *shm.Ring // what this end receives (nil: it only sends)
	out    *shm.Ring // where this end sends (nil: it only receives)
	closed atomic.Bool
	// st is whether this handle counts in its process's holder slot (its
	// open counts the handles that do): apart from the Conn, for the
	// cleanup that lets go of a handle collected unclosed.
	st *connState
	// arrivedClosed: this handle stands for the end as sent by a process
	// that had closed it (a global copied to a child, say): it stays closed
	// and holds nothing.
	arrivedClosed bool
}

// A Conn's id in messages is its pipe's Ref (64-byte aligned) with these
// bits.
const (
	connEndBit    = 1 // which end
	connClosedBit = 2 // sent by a process that had closed it
)

// pipeHeader is a pipe in shared memory: its rings and who holds each end.
type pipeHeader struct {
	magic   uint64
	lock    uint32 // the Mutex word of holders
	duplex  uint32
	rings   [2]uint64 // rings[e] is what end e receives (one-way: rings[0] only)
	holders [2][maxHolders]holderSlot
}

// connState is a handle's part in its slot, changed under the pipe's lock.
type connState struct{ holding bool }

// holderSlot is one process's part in holding an end: how many of its
// handles have the end open, and how many copies it sent that nobody has
// received yet.
type holderSlot struct {
	pid     uint32
	open    uint32
	tickets uint32
	_       uint32
}

const (
	kindConn   = "conn"
	pipeMagic  = 0x676f6d702d707031 // "gomp-pp1"
	maxHolders = 126                // processes holding one end at once
	// holderCheckEvery is how often a waiting Recv looks whether the
	// processes holding the other end are alive.
	holderCheckEvery = 100 * time.Millisecond
)

// ErrBrokenPipe is what Send reports when no process holds the other end
// any more (Python's BrokenPipeError); it wraps io.ErrClosedPipe.
var ErrBrokenPipe = fmt.Errorf("mp: the other end of the pipe is closed in every process: %w", io.ErrClosedPipe)

func init() {
	freedKinds[kindConn] = func(id uint64) shm.Ref { return shm.Ref(id &^ (connEndBit | connClosedBit)) }
	registerSharedKind(kindConn, func(r *shm.Region, id shm.Ref) (any, error) {
		c, err := openConn(r, id&^(connEndBit|connClosedBit), int(id&connEndBit))
		if err != nil {
			return nil, err
		}
		if id&connClosedBit != 0 {
			c.arrivedClosed = true
			c.closed.Store(true)
		} else {
			c.hold(true)
		}
		return c.track(r, id)
	})
}

// track makes c this process's handle on its end (id as in messages): the
// pipe is freed once no process has a handle on either end and no message
// carries one; a handle collected without Close lets go of its end, as
// Close does (Python's connections close when collected).
func (c *Conn) track(r *shm.Region, id shm.Ref) (any, error) {
	pipe, end, st, in, out := c.pipe, c.end, c.st, c.in, c.out
	return trackShared(r, sharedKey{kindConn, id}, c.ref, c, c, func() {
		letGoEnd(pipe, end, st)
		notifyRings(in, out)
	})
}

// Pipe makes a pipe and returns its two ends. Pipe() is duplex: both ends
// send and receive. Pipe(false) is one way, as in Python: the first end
// only receives and the second only sends.
func Pipe(duplex ...bool) (*Conn, *Conn) {
	if len(duplex) > 1 {
		misuse("Pipe", "takes at most one argument (duplex), got %d", len(duplex))
	}
	two := len(duplex) == 0 || duplex[0]
	r := mustRegion("Pipe")
	fail := func(err error) {
		panic(fmt.Errorf("mp: Pipe: %w%s", err, limitHint(err, "pipe")))
	}
	ref, err := allocRetrying(func() (shm.Ref, error) { return r.Alloc(int(unsafe.Sizeof(pipeHeader{}))) })
	if err != nil {
		fail(err)
	}
	b, err := r.Bytes(ref, int(unsafe.Sizeof(pipeHeader{})))
	if err != nil {
		fail(err)
	}
	h := (*pipeHeader)(unsafe.Pointer(&b[0]))
	rings := 1
	if two {
		rings = 2
		h.duplex = 1
	}
	var parts []shm.Ref
	for i := range rings {
		ring, err := allocRetrying(func() (shm.Ref, error) { return shm.NewRing(r, 0) })
		if err != nil {
			fail(err)
		}
		h.rings[i] = uint64(ring)
		parts = append(parts, ring)
	}
	if err := r.SetParts(ref, parts...); err != nil {
		fail(err)
	}
	for end := range 2 {
		h.holders[end][0] = holderSlot{pid: selfPid(), open: 1} // the handle made below
	}
	atomic.StoreUint64(&h.magic, pipeMagic)
	var ends [2]*Conn
	for end := range 2 {
		c, err := openConn(r, ref, end)
		if err != nil {
			fail(err)
		}
		c.st.holding = true
		handle, err := c.track(r, ref|shm.Ref(end))
		if err != nil {
			fail(err)
		}
		ends[end] = handle.(*Conn)
	}
	return ends[0], ends[1]
}

func openConn(r *shm.Region, ref shm.Ref, end int) (*Conn, error) {
	b, err := r.Bytes(ref, int(unsafe.Sizeof(pipeHeader{})))
	if err != nil {
		return nil, err
	}
	h := (*pipeHeader)(unsafe.Pointer(&b[0]))
	if atomic.LoadUint64(&h.magic) != pipeMagic {
		return nil, fmt.Errorf("object %#x is not a pipe", uint64(ref))
	}
	c := &Conn{pipe: h, ref: ref, end: end, st: &connState{}}
	ring := func(i int) (*shm.Ring, error) { return shm.OpenRing(r, shm.Ref(h.rings[i])) }
	switch {
	case h.duplex == 1:
		if c.in, err = ring(end); err == nil {
			c.out, err = ring(1 - end)
		}
	case end == 0:
		c.in, err = ring(0)
	default:
		c.out, err = ring(0)
	}
	return c, err
}

// ownPid is this process's pid, as holder tables record it.
var ownPid = uint32(os.Getpid())

func selfPid() uint32 { return ownPid }

// SharedRef makes an end cross processes as a reference: the receiving
// process then holds it.
func (c *Conn) SharedRef() (string, uint64) {
	id := uint64(c.ref) | uint64(c.end)
	if c.closed.Load() {
		// As Python refuses to send a closed connection, the receiver must
		// not hold the end because of this copy; unlike Python, copying a
		// global that holds it into a child must not fail either.
		return kindConn, id | connClosedBit
	}
	return kindConn, id
}

// inTransit counts a copy of the end that a message now carries as held by
// this process (a ticket) until a receiver takes it, so that closing the end
// here right after sending it (as Python's examples do after starting the
// child) does not look like the end is closed everywhere. It is called once
// the message is encoded, for each reference in it.
func (c *Conn) inTransit(delta int) {
	if c.closed.Load() {
		return // sent as closed: no receiver will hold it
	}
	c.withHolders(func(slots *[maxHolders]holderSlot) {
		s := findSlot(slots, selfPid(), delta > 0)
		if s == nil {
			return
		}
		s.tickets = uint32(max(int(s.tickets)+delta, 0))
		if s.open == 0 && s.tickets == 0 {
			*s = holderSlot{}
		}
	})
}

// sharedAgain is called when this process receives an end it has a handle
// for already: it holds it (again) and takes a ticket.
func (c *Conn) sharedAgain() {
	if !c.arrivedClosed {
		c.hold(true)
	}
}

// hold records that this process holds the end (the copy it received, if
// ticket: a ticket of its sender is used up).
func (c *Conn) hold(ticket bool) {
	c.closed.Store(false)
	c.withHolders(func(slots *[maxHolders]holderSlot) {
		if ticket {
			for i := range slots {
				if slots[i].tickets > 0 {
					slots[i].tickets--
					if slots[i].open == 0 && slots[i].tickets == 0 {
						slots[i] = holderSlot{}
					}
					break
				}
			}
		}
		if c.st.holding {
			return
		}
		if s := findSlot(slots, selfPid(), true); s != nil {
			s.open++
			c.st.holding = true
		}
	})
}

// findSlot is pid's slot, or a free one for it if add (nil when full: the
// end is then not tracked for this process, which can only delay an EOF
// until the process holding it is seen dead).
func findSlot(slots *[maxHolders]holderSlot, pid uint32, add bool) *holderSlot {
	free := -1
	for i := range slots {
		switch {
		case slots[i].pid == pid:
			return &slots[i]
		case slots[i].pid == 0 && free < 0:
			free = i
		}
	}
	if !add || free < 0 {
		return nil
	}
	slots[free] = holderSlot{pid: pid}
	return &slots[free]
}

// withHolders runs f on the holders of this end, under the pipe's lock.
func (c *Conn) withHolders(f func(*[maxHolders]holderSlot)) {
	c.withEnd(c.end, f)
}

func (c *Conn) withEnd(end int, f func(*[maxHolders]holderSlot)) { withEnd(c.pipe, end, f) }

func withEnd(pipe *pipeHeader, end int, f func(*[maxHolders]holderSlot)) {
	// Not the cell's context: the lock is held for a few loads and stores
	// only, and a Close must not be skipped because the cell was
	// interrupted.
	m := shm.MutexAt(&pipe.lock)
	if _, err := m.Lock(context.Background(), time.Time{}); err != nil {
		return
	}
	defer m.Unlock()
	// A dead holder's slot is fixed by the next look at it (peerGone): the
	// table has no state a kill mid-update can make inconsistent beyond
	// one slot's counters.
	f(&pipe.holders[end])
}

// peerGone reports whether no process holds the other end: every slot is
// empty, or its process is dead (then the slot is cleared).
func (c *Conn) peerGone(checkAlive bool) bool {
	gone := true
	c.withEnd(1-c.end, func(slots *[maxHolders]holderSlot) {
		for i := range slots {
			s := &slots[i]
			if s.pid == 0 {
				continue
			}
			if s.open == 0 && s.tickets == 0 {
				*s = holderSlot{}
				continue
			}
			if checkAlive && !shm.Alive(int(s.pid)) {
				*s = holderSlot{}
				continue
			}
			gone = false
		}
	})
	return gone
}

// Send sends a copy of v to the other end. It panics if v cannot be copied
// (the message names its type), if this end is closed or only receives,
// or if no process holds the other end any more (ErrBrokenPipe).
func (c *Conn) Send(v any) {
	if err := c.send("Send", v); err != nil {
		panic(err)
	}
}

// SendBytes sends b (Python's send_bytes); RecvBytes receives it.
func (c *Conn) SendBytes(b []byte) {
	if b == nil {
		b = []byte{}
	}
	if err := c.send("SendBytes", b); err != nil {
		panic(err)
	}
}

func (c *Conn) send(op string, v any) error {
	if err := c.usable(op, c.out, "only receives (mp.Pipe(false) returns the receiving end first)"); err != nil {
		return err
	}
	if c.peerGone(false) {
		return fmt.Errorf("mp: Conn.%s: %w", op, ErrBrokenPipe)
	}
	buf := getBuffer()
	defer putBuffer(buf)
	rec, sent, err := encodeItem((*buf)[:0], v, carriedInRing)
	*buf = rec
	if err != nil {
		return fmt.Errorf("mp: Conn.%s: %w", op, err)
	}
	defer runtime.KeepAlive(c) // its rings are mapped while it is reachable
	if err := c.out.Put(cellContext(), rec, false, shm.WaitOptions{}); err != nil {
		sent.cancel()
		return ringError("Conn."+op, err, ErrFull)
	}
	return nil
}

func (c *Conn) usable(op string, ring *shm.Ring, onlyOther string) error {
	if c.closed.Load() {
		return fmt.Errorf("mp: Conn.%s: this end of the pipe is %w", op, ErrClosed)
	}
	if ring == nil {
		return fmt.Errorf("mp: Conn.%s: this end of the pipe %s", op, onlyOther)
	}
	return nil
}

// Recv returns the next value sent from the other end, waiting for one. It
// panics with an error that errors.Is io.EOF when nothing is left and no
// process holds the other end any more, and if the cell is interrupted;
// RecvErr returns those errors instead.
func (c *Conn) Recv() any {
	v, err := c.RecvErr()
	if err != nil {
		panic(err)
	}
	return v
}

// RecvErr is Recv returning its errors: io.EOF (for errors.Is) when the
// other end is closed everywhere, the reason when the cell is interrupted.
//
//	for {
//		msg, err := conn.RecvErr()
//		if errors.Is(err, io.EOF) {
//			break
//		}
//		...
//	}
func (c *Conn) RecvErr() (any, error) {
	return c.recv("Recv")
}

// RecvBytes receives what SendBytes sent (any []byte sent); it panics as
// Recv does, and if the value received is not a []byte.
func (c *Conn) RecvBytes() []byte {
	v, err := c.recv("RecvBytes")
	if err != nil {
		panic(err)
	}
	b, ok := v.([]byte)
	if !ok {
		panic(fmt.Errorf("mp: Conn.RecvBytes: received a %T, not bytes: use Recv for values sent with Send", v))
	}
	return b
}

func (c *Conn) recv(op string) (any, error) {
	if err := c.usable(op, c.in, "only sends (mp.Pipe(false) returns the sending end second)"); err != nil {
		return nil, err
	}
	buf := getBuffer()
	defer putBuffer(buf)
	defer runtime.KeepAlive(c)
	rec, err := c.in.Get(cellContext(), (*buf)[:0], c.waitForPeer(shm.WaitOptions{}))
	*buf = rec
	if err != nil {
		return nil, c.recvError(op, err)
	}
	v, err := decodeItem(rec, true)
	if err != nil {
		return nil, fmt.Errorf("mp: Conn.%s: %w", op, err)
	}
	return v, nil
}

// errPeerGone ends a wait of Recv or Poll: nothing can come any more.
var errPeerGone = errors.New("peer gone")

// waitForPeer makes a wait end when no process holds the other end.
func (c *Conn) waitForPeer(w shm.WaitOptions) shm.WaitOptions {
	w.Check = func() error {
		if c.peerGone(true) {
			return errPeerGone
		}
		return nil
	}
	w.CheckEvery = holderCheckEvery
	return w
}

func (c *Conn) recvError(op string, err error) error {
	if errors.Is(err, errPeerGone) {
		return fmt.Errorf("mp: Conn.%s: the other end of the pipe is closed in every process: %w", op, io.EOF)
	}
	return ringError("Conn."+op, err, ErrEmpty)
}

// Poll reports whether there is something to receive, or the other end is
// closed everywhere (Recv then returns EOF at once), as Python's poll:
// Poll() looks and returns, Poll(d) waits up to d for it.
func (c *Conn) Poll(timeout ...time.Duration) bool {
	if err := c.usable("Poll", c.in, "only sends (mp.Pipe(false) returns the sending end second)"); err != nil {
		panic(err)
	}
	w := shm.WaitOptions{NoWait: true}
	if len(timeout) > 0 && timeout[0] > 0 {
		w = shm.WaitOptions{Deadline: time.Now().Add(timeout[0])}
	}
	defer runtime.KeepAlive(c)
	err := c.in.WaitNotEmpty(cellContext(), c.waitForPeer(w))
	switch {
	case err == nil, errors.Is(err, errPeerGone):
		return true
	case errors.Is(err, shm.ErrEmpty), errors.Is(err, shm.ErrTimeout):
		return c.peerGone(true) // then Recv returns EOF at once
	}
	panic(c.recvError("Poll", err))
}

// Close lets go of this end in this process: once no process holds it, the
// other end's Recv gets EOF when it has received everything sent. Using the
// end here afterwards fails; receiving it again (from a queue, say) opens
// it again.
func (c *Conn) Close() {
	if c.closed.Swap(true) {
		return
	}
	c.letGo()
	// Wake the other end's readers (and this pipe's, if both ends were
	// here): they look again whether anyone can still send.
	notifyRings(c.in, c.out)
	runtime.KeepAlive(c)
}

func notifyRings(rings ...*shm.Ring) {
	for _, r := range rings {
		if r != nil {
			r.Notify()
		}
	}
}

// letGo stops counting this process as a holder of the end, leaving the
// handle usable: an end that reached a child only inside the notebook's
// global variables (copied into every child) is not held by it, or the
// kernel's Recv on the other end could never see EOF in a notebook where
// every end is a global. Passed as an argument, the end is held.
func (c *Conn) letGo() { letGoEnd(c.pipe, c.end, c.st) }

func letGoEnd(pipe *pipeHeader, end int, st *connState) {
	withEnd(pipe, end, func(slots *[maxHolders]holderSlot) {
		if !st.holding {
			return
		}
		st.holding = false
		if s := findSlot(slots, selfPid(), false); s != nil {
			s.open = uint32(max(int(s.open)-1, 0))
			if s.open == 0 && s.tickets == 0 {
				*s = holderSlot{}
			}
		}
	})
}

// letGoOfReceivedEnds lets go of every end this process has received so
// far (a child calls it after setting its globals, before its arguments).
func letGoOfReceivedEnds() {
	eachShared(func(h any) {
		if c, ok := h.(*Conn); ok {
			c.letGo()
		}
	})
}

// Closed reports whether this end is closed in this process.
func (c *Conn) Closed() bool { return c.closed.Load() }

func (c *Conn) String() string {
	return fmt.Sprintf("<mp.Conn %#x end %d>", uint64(c.ref), c.end)
}
