package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"sync"
	"time"
)

// routerSocket is a ROUTER socket, on this package's ZMTP (zmtp.go), for
// shell, control, stdin and the heartbeat. zmq4's ROUTER (v0.17) runs each
// handshake inside its accept loop without a deadline, so one connection
// that stops halfway through its greeting keeps every later client of that
// socket out; libzmq (ipykernel) does not have that problem, and neither
// does this socket: every connection has its own goroutine, the handshake a
// deadline.
//
// Each connection's goroutine reads its messages and queues them for Recv,
// prefixed with the peer's identity, as a ROUTER does. Send routes a message
// by its first frame to the peers with that identity and writes it from the
// calling goroutine, in one system call for a usual message, under a write
// deadline; a peer whose write fails or times out is disconnected (libzmq
// clients reconnect by themselves).
//
// Identities: a peer that names itself in its handshake (jupyter_client
// names its shell and stdin sockets after its session, which is how an
// input_request reaches the client whose cell asked) gets that identity; one
// that does not gets a fresh one, five bytes starting with a zero byte, as
// libzmq makes them. Two live connections may share an identity (two clients
// made from one jupyter_client session); a message to it goes to both, and
// each client keeps what answers its own requests. (libzmq would ignore the
// second client until the first is gone, which leaves it hanging.)
//
// Messages are bounded: a peer announcing a frame or message over
// maxMessage bytes is disconnected before anything is allocated for it, and
// what a message holds before the kernel has checked its signature is
// bounded as admission.go says: the bytes past a message's allowance are
// reserved from a budget shared with the kernel's other sockets, and Recv
// hands out, with each message, the release of its reservation.
//
// It is safe for concurrent use. Close ends every goroutine it started.
type routerSocket struct {
	*zmtpListener
	name       string
	log        *log.Logger
	maxMessage int
	budget     *byteBudget  // for the bytes past each message's allowance
	spare      *spareBuffer // for large frames, shared like the budget
	// jupyter: frames must follow a Jupyter message's layout (headArrived)
	// before one may be large; the heartbeat's echo is free-form.
	jupyter bool

	in        chan inbound  // received messages
	done      chan struct{} // closed by Close
	closeOnce sync.Once

	mu     sync.Mutex
	peers  map[string][]*zmtpConn // by identity
	nextID uint32                 // for generated identities
}

// inbound is a message, identity first, and the bytes of the budget it
// holds until released.
type inbound struct {
	frames [][]byte
	held   int64
}

const (
	// maxRouterMessage bounds one message a client sends: code, a
	// history search, comm data. Larger ones end the connection. It is
	// at most unverifiedBudget, which must be able to hold it.
	maxRouterMessage = unverifiedBudget
	// maxHeartbeat bounds a heartbeat ping (jupyter_client sends 4 bytes).
	maxHeartbeat = 1 << 20
	// frameOverhead is what each frame counts against the message bound
	// besides its bytes, so that a flood of empty frames is bounded too.
	frameOverhead = 64
	// routerQueue is how many received messages wait for Recv before the
	// peers' readers wait too (and TCP holds the rest).
	routerQueue = 16
)

// errNoPeer is what Send returns when no peer has the identity.
var errNoPeer = errors.New("no connected peer with this identity")

// listenRouter binds a ROUTER socket to a tcp:// or ipc:// endpoint; name
// is the channel, for the log. Its messages are Jupyter messages, bounded
// by budget (nil: a budget of its own); or, for the heartbeat, free-form
// messages of at most maxHeartbeat bytes.
func listenRouter(endpoint, name string, logger *log.Logger, timeouts socketTimeouts, budget *byteBudget, spare *spareBuffer) (*routerSocket, error) {
	if budget == nil {
		budget = newByteBudget(unverifiedBudget)
	}
	if spare == nil {
		spare = new(spareBuffer)
	}
	jupyter, maxMessage := true, maxRouterMessage
	if name == channelHB {
		jupyter, maxMessage = false, maxHeartbeat
	}
	r := &routerSocket{
		name:       name,
		log:        logger,
		maxMessage: maxMessage,
		budget:     budget,
		spare:      spare,
		jupyter:    jupyter,
		in:         make(chan inbound, routerQueue),
		done:       make(chan struct{}),
		peers:      make(map[string][]*zmtpConn),
	}
	l, err := listenZMTP(endpoint, name, logger, timeouts, "ROUTER", []string{"REQ", "DEALER", "ROUTER"}, r.serve)
	if err != nil {
		return nil, err
	}
	r.zmtpListener = l
	return r, nil
}

// Recv returns the next message: the sender's identity, then the frames it
// sent, and release, which gives back the budget the message holds; the
// caller calls it once it has checked the message's signature, or dropped
// it. After Close it returns net.ErrClosed.
func (r *routerSocket) Recv() (frames [][]byte, release func(), err error) {
	select {
	case <-r.done: // first: messages may still be queued
		return nil, nil, net.ErrClosed
	default:
	}
	select {
	case m := <-r.in:
		return m.frames, func() { r.budget.release(m.held) }, nil
	case <-r.done:
		return nil, nil, net.ErrClosed
	}
}

// Send sends frames[1:] to the peers whose identity is frames[0].
func (r *routerSocket) Send(frames [][]byte) error {
	if len(frames) < 2 {
		return errors.New("a ROUTER message needs an identity and a frame")
	}
	r.mu.Lock()
	conns := slices.Clone(r.peers[string(frames[0])])
	r.mu.Unlock()
	if len(conns) == 0 {
		return errNoPeer
	}
	var errs []error
	for _, c := range conns {
		if err := c.writeFrames(frames[1:], 0); err != nil {
			c.Close() // its reader ends and removes it
			errs = append(errs, fmt.Errorf("%s: %w", c.RemoteAddr(), err))
		}
	}
	if len(errs) == len(conns) {
		return errors.Join(errs...)
	}
	return nil // delivered to a peer with the identity
}

// serve registers a peer and reads its messages until its connection ends
// or the socket is closed.
func (r *routerSocket) serve(c *zmtpConn) {
	id := r.register(c)
	defer r.unregister(id, c)
	for {
		msg, held, err := r.readMessage(c)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				r.log.Printf("%s: peer %s: %v", r.name, c.RemoteAddr(), err)
			}
			return
		}
		if msg == nil {
			continue // a command, handled
		}
		select {
		case r.in <- inbound{frames: append([][]byte{id}, msg...), held: held}:
		case <-r.done:
			r.budget.release(held)
			return
		}
	}
}

// register files c under its identity, generating one when it has none.
func (r *routerSocket) register(c *zmtpConn) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := c.identity
	if len(id) == 0 {
		r.nextID++
		id = binary.BigEndian.AppendUint32([]byte{0}, r.nextID)
	}
	r.peers[string(id)] = append(r.peers[string(id)], c)
	return id
}

func (r *routerSocket) unregister(id []byte, c *zmtpConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	conns := slices.DeleteFunc(r.peers[string(id)], func(x *zmtpConn) bool { return x == c })
	if len(conns) == 0 {
		delete(r.peers, string(id))
	} else {
		r.peers[string(id)] = conns
	}
}

// readMessage reads the frames of one message, and returns with them the
// bytes of the budget they hold. It answers a PING itself and returns nil
// for it and for the other commands, which mean nothing to a ROUTER.
//
// Between messages a peer may be idle as long as it likes; once a message
// has begun, it must arrive within its deadline (admission.go).
func (r *routerSocket) readMessage(c *zmtpConn) (frames [][]byte, held int64, err error) {
	var body []byte
	defer func() {
		if err != nil {
			// What was read is dropped: a large buffer is offered for
			// reuse before the budget is released (admission.go).
			r.spare.put(body)
			for _, f := range frames {
				r.spare.put(f)
			}
			frames = nil
			r.budget.release(held)
			held = 0
		}
	}()
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		return nil, 0, err
	}
	if _, err := c.r.Peek(1); err != nil {
		return nil, 0, err
	}
	deadline := time.Now().Add(messageTimeout)
	if err := c.SetReadDeadline(deadline); err != nil {
		return nil, 0, err
	}
	free := preAuthAllowance // bytes the message may hold without the budget
	total := 0
	for {
		flags, size, err := readFrameHeader(c.r)
		if err != nil {
			return nil, held, err
		}
		limit := r.frameLimit(flags, frames, total)
		if size > uint64(limit) {
			return nil, held, fmt.Errorf("a frame of %d bytes where at most %d may come%s",
				size, limit, r.why(flags, frames, total))
		}
		n := int(size)
		total += n + frameOverhead
		cost := n + frameOverhead
		fromFree := min(cost, free)
		free -= fromFree
		if need := int64(cost - fromFree); need > 0 {
			deadline = deadline.Add(time.Duration(need) * time.Second / minMessageRate)
			if err := r.budget.acquire(need, deadline, r.done); err != nil {
				return nil, held, err
			}
			held += need
			if err := c.SetReadDeadline(deadline); err != nil {
				return nil, held, err
			}
		}
		body = nil
		if n >= largeMessage {
			body = r.spare.get(n)
		} else {
			body = make([]byte, n)
		}
		if _, err := io.ReadFull(c.r, body); err != nil {
			return nil, held, noEOF(err)
		}
		if flags&flagCommand != 0 {
			if len(frames) > 0 || flags&flagMore != 0 {
				return nil, held, errors.New("a command inside a message")
			}
			name, data, err := parseCommand(body)
			if err != nil {
				return nil, held, err
			}
			switch name {
			case cmdPing:
				return nil, held, c.pong(data)
			case cmdError:
				return nil, held, errors.New("peer sent ERROR")
			}
			return nil, held, nil
		}
		frames = append(frames, body)
		body = nil // in frames now
		if flags&flagMore == 0 {
			return frames, held, nil
		}
	}
}

// frameLimit is the largest the next frame may be, after frames, which
// count total bytes.
func (r *routerSocket) frameLimit(flags byte, frames [][]byte, total int) int {
	left := max(r.maxMessage-total, 0)
	switch {
	case flags&flagCommand != 0:
		return min(left, maxCommandSize)
	case r.jupyter && !headArrived(frames):
		return min(left, maxHeadFrame)
	}
	return left
}

// why says which limit a refused frame broke, for the log.
func (r *routerSocket) why(flags byte, frames [][]byte, total int) string {
	switch {
	case flags&flagCommand != 0:
		return " (a command)"
	case r.jupyter && !headArrived(frames) && r.maxMessage-total > maxHeadFrame:
		return " before a message's delimiter, signature and header"
	}
	return fmt.Sprintf(" (a message is at most %d bytes)", r.maxMessage)
}

// Close stops accepting, disconnects every peer, and waits until every
// goroutine of the socket has ended. Messages received and not yet taken by
// Recv are dropped.
func (r *routerSocket) Close() error {
	r.closeOnce.Do(func() { close(r.done) })
	return r.zmtpListener.Close()
}
