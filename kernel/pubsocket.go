package kernel

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

// pubSocket is the IOPub PUB socket. It speaks ZMTP 3.0 through zmq4 —
// zmq4.Open performs each subscriber's greeting and NULL handshake — but
// frames, queues and writes itself, because zmq4's own PUB socket (v0.17) has
// pitfalls that matter to a kernel:
//
//   - its Close never stops the socket's writer goroutine (socket.Close does
//     not close the writer), so every closed PUB socket leaks a goroutine;
//   - it queues messages without bound in that goroutine and has no flush, so
//     the last messages before Close (the shutdown reply, the idle status) are
//     lost unless the caller sleeps and hopes;
//   - a subscriber that stops reading blocks every send forever;
//   - it runs each handshake inside its accept loop without a deadline, so one
//     silent connection keeps every later subscriber out.
//
// Here Send returns once the message is written to every subscriber (so a
// flush is simply the last Send), each write has a deadline, a subscriber
// that cannot keep up is disconnected (libzmq SUB sockets reconnect and
// resubscribe by themselves), handshakes run in their own goroutines with a
// deadline, and Close ends every goroutine the socket started.
//
// It is safe for concurrent use, though the kernel's publisher is its only
// sender.
type pubSocket struct {
	ln  net.Listener
	log *log.Logger

	handshakeTimeout time.Duration
	writeTimeout     time.Duration

	mu     sync.Mutex
	peers  map[*subscriber]struct{} // every accepted connection
	closed bool

	wg sync.WaitGroup // the accept loop and one goroutine per connection
}

// subscriber is one connected SUB socket.
type subscriber struct {
	conn net.Conn

	mu     sync.Mutex
	ready  bool                // handshake done
	topics map[string]struct{} // subscribed prefixes

	wmu sync.Mutex // one writer at a time: sends, and PONG replies
}

const (
	pubHandshakeTimeout = 10 * time.Second
	pubWriteTimeout     = 10 * time.Second
	// maxSubscriberFrame bounds what a subscriber may send (subscriptions
	// are short); a larger frame is a broken or hostile peer, and reading it
	// would mean allocating whatever size it announces.
	maxSubscriberFrame = 64 << 10
)

// ZMTP 3 frame flags.
const (
	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04
)

// pubTimeouts bound the waits of a pubSocket; zero values mean the defaults.
type pubTimeouts struct {
	handshake, write time.Duration
}

// listenPub binds a PUB socket to a tcp:// or ipc:// endpoint.
func listenPub(endpoint string, logger *log.Logger, timeouts pubTimeouts) (*pubSocket, error) {
	network, addr, err := splitEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	p := &pubSocket{
		ln:               ln,
		log:              logger,
		handshakeTimeout: cmp.Or(timeouts.handshake, pubHandshakeTimeout),
		writeTimeout:     cmp.Or(timeouts.write, pubWriteTimeout),
		peers:            make(map[*subscriber]struct{}),
	}
	p.wg.Go(p.accept)
	return p, nil
}

// splitEndpoint turns a ZeroMQ endpoint into a Go network and address.
func splitEndpoint(endpoint string) (network, addr string, err error) {
	if path, ok := strings.CutPrefix(endpoint, "ipc://"); ok {
		return "unix", path, nil
	}
	if hostport, ok := strings.CutPrefix(endpoint, "tcp://"); ok {
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			return "", "", fmt.Errorf("endpoint %s: %w", endpoint, err)
		}
		if host == "*" {
			host = "" // ZeroMQ's "all interfaces"
		}
		return "tcp", net.JoinHostPort(host, port), nil
	}
	return "", "", fmt.Errorf("endpoint %s: unsupported transport", endpoint)
}

// Addr is the address the socket listens on.
func (p *pubSocket) Addr() net.Addr { return p.ln.Addr() }

func (p *pubSocket) accept() {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Typically out of file descriptors: wait a little rather than
			// spin, but stop at once if the socket is closed meanwhile.
			p.log.Printf("iopub: accept: %v", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s := &subscriber{conn: conn, topics: make(map[string]struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			conn.Close()
			return
		}
		p.peers[s] = struct{}{}
		p.mu.Unlock()
		p.wg.Go(func() { p.serve(s) })
	}
}

// serve performs the handshake with one subscriber and then reads its
// subscriptions until the connection ends.
func (p *pubSocket) serve(s *subscriber) {
	defer func() {
		s.conn.Close()
		p.mu.Lock()
		delete(p.peers, s)
		p.mu.Unlock()
	}()
	_ = s.conn.SetDeadline(time.Now().Add(p.handshakeTimeout))
	if _, err := zmq4.Open(s.conn, null.Security(), zmq4.Pub, zmq4.SocketIdentity(""), true, nil); err != nil {
		p.log.Printf("iopub: handshake with %s: %v", s.conn.RemoteAddr(), err)
		return
	}
	_ = s.conn.SetDeadline(time.Time{})
	s.mu.Lock()
	s.ready = true
	s.mu.Unlock()

	r := bufio.NewReader(s.conn)
	continued := false // the frame read is part of a multi-frame message
	for {
		flags, body, err := readFrame(r, maxSubscriberFrame)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				p.log.Printf("iopub: subscriber %s: %v", s.conn.RemoteAddr(), err)
			}
			return
		}
		switch {
		case flags&flagCommand != 0:
			p.command(s, body)
		case continued || flags&flagMore != 0:
			// Subscriptions are single-frame messages; anything else
			// from a subscriber means nothing to a PUB socket.
		case len(body) > 0 && body[0] == 1:
			s.setTopic(string(body[1:]), true)
		case len(body) > 0 && body[0] == 0:
			s.setTopic(string(body[1:]), false)
		}
		continued = flags&flagMore != 0
	}
}

// command handles a ZMTP command from a subscriber: subscriptions in the
// ZMTP 3.1 form, and heartbeats (libzmq pings when ZMQ_HEARTBEAT_IVL is set).
func (p *pubSocket) command(s *subscriber, body []byte) {
	if len(body) == 0 || int(body[0]) > len(body)-1 {
		return
	}
	name, data := string(body[1:1+body[0]]), body[1+body[0]:]
	switch name {
	case zmq4.CmdSubscribe:
		s.setTopic(string(data), true)
	case zmq4.CmdCancel:
		s.setTopic(string(data), false)
	case zmq4.CmdPing:
		// PING carries a 2-byte TTL and then a context, which PONG echoes.
		var context []byte
		if len(data) > 2 {
			context = data[2:]
		}
		pong := append([]byte{byte(len(zmq4.CmdPong))}, zmq4.CmdPong...)
		pong = append(pong, context...)
		if err := p.write(s, [][]byte{pong}, flagCommand); err != nil {
			s.conn.Close()
		}
	}
}

func (s *subscriber) setTopic(topic string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.topics[topic] = struct{}{}
	} else {
		delete(s.topics, topic)
	}
}

// wants reports whether s is ready and subscribed to a prefix of topic.
func (s *subscriber) wants(topic []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		return false
	}
	for t := range s.topics {
		if bytes.HasPrefix(topic, []byte(t)) {
			return true
		}
	}
	return false
}

// Send writes a message (its first frame is the topic) to every subscriber
// that wants it, and returns when it is written. A subscriber whose write
// fails or times out is disconnected.
func (p *pubSocket) Send(frames [][]byte) {
	if len(frames) == 0 {
		return
	}
	p.mu.Lock()
	peers := make([]*subscriber, 0, len(p.peers))
	for s := range p.peers {
		peers = append(peers, s)
	}
	p.mu.Unlock()
	for _, s := range peers {
		if !s.wants(frames[0]) {
			continue
		}
		if err := p.write(s, frames, 0); err != nil {
			p.log.Printf("iopub: dropping subscriber %s: %v", s.conn.RemoteAddr(), err)
			s.conn.Close() // its reader ends and removes it
		}
	}
}

// write sends frames as one message, in one system call, with a deadline.
func (p *pubSocket) write(s *subscriber, frames [][]byte, flags byte) error {
	bufs := make(net.Buffers, 0, 2*len(frames))
	for i, f := range frames {
		fl := flags
		if i < len(frames)-1 {
			fl |= flagMore
		}
		var hdr []byte
		if len(f) > 255 {
			hdr = binary.BigEndian.AppendUint64([]byte{fl | flagLong}, uint64(len(f)))
		} else {
			hdr = []byte{fl, byte(len(f))}
		}
		bufs = append(bufs, hdr, f)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.conn.SetWriteDeadline(time.Now().Add(p.writeTimeout)); err != nil {
		return err
	}
	_, err := bufs.WriteTo(s.conn)
	return err
}

// subscribers counts the subscribers that completed their handshake.
func (p *pubSocket) subscribers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for s := range p.peers {
		s.mu.Lock()
		if s.ready {
			n++
		}
		s.mu.Unlock()
	}
	return n
}

// Close stops accepting, disconnects every subscriber and waits for the
// socket's goroutines to end. Data already sent is delivered by the operating
// system after the close, as with any TCP or unix socket.
func (p *pubSocket) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	for s := range p.peers {
		s.conn.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close() // also removes an ipc socket file
	p.wg.Wait()
	return err
}

// readFrame reads one ZMTP 3 frame: a flags byte, a 1- or 8-byte size, and the
// body, which may be at most limit bytes.
func readFrame(r *bufio.Reader, limit uint64) (flags byte, body []byte, err error) {
	flags, err = r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	var size uint64
	if flags&flagLong != 0 {
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		size = binary.BigEndian.Uint64(b[:])
	} else {
		b, err := r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		size = uint64(b)
	}
	if size > limit {
		return 0, nil, fmt.Errorf("frame of %d bytes is over the limit of %d", size, limit)
	}
	body = make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return flags, body, nil
}
