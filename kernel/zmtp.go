package kernel

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
)

// The ZeroMQ wire protocol, ZMTP 3 with the NULL mechanism (RFC 23), as the
// server side of the kernel's sockets speaks it: the greeting, the READY
// handshake, and frames. Both socket types of the kernel (routersocket.go,
// pubsocket.go) accept their connections through a zmtpListener, which runs
// every connection in a goroutine of its own, the handshake under a
// deadline, so that no connection can hold up another.
//
// Everything a peer announces is checked before memory is committed to it:
// a command or frame larger than its limit ends the connection. readFrame's
// large frames grow with the bytes that actually arrive, never to the size a
// peer merely claims; the ROUTER socket allocates a frame at its size only
// once those bytes are within its admission limits (admission.go).

// ZMTP 3 frame flags.
const (
	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04
	// flagsReserved must be zero.
	flagsReserved = 0xf8
)

// ZMTP command names.
const (
	cmdReady     = "READY"
	cmdError     = "ERROR"
	cmdPing      = "PING"
	cmdPong      = "PONG"
	cmdSubscribe = "SUBSCRIBE"
	cmdCancel    = "CANCEL"
)

const (
	greetingSize = 64
	// maxCommandSize bounds a command frame (READY's metadata, a PING's
	// context, a subscription): they are short.
	maxCommandSize = 64 << 10
	// eagerFrameSize is the largest frame whose buffer is allocated at its
	// announced size; larger ones grow as their bytes arrive.
	eagerFrameSize = 64 << 10
	// writeChunk is how much is written under one write deadline: a large
	// message may take longer than the deadline in all, as long as it keeps
	// moving.
	writeChunk = 1 << 20

	defaultHandshakeTimeout = 10 * time.Second
	defaultWriteTimeout     = 10 * time.Second
)

// socketTimeouts bound the waits of a socket; zero values mean the defaults.
type socketTimeouts struct {
	handshake time.Duration // greeting and READY, from the connection's accept
	write     time.Duration // a write that makes no progress
}

func (t socketTimeouts) orDefaults() socketTimeouts {
	if t.handshake <= 0 {
		t.handshake = defaultHandshakeTimeout
	}
	if t.write <= 0 {
		t.write = defaultWriteTimeout
	}
	return t
}

// greeting is what this side sends: ZMTP 3.0, mechanism NULL, as-server 0
// (NULL has no roles). Version 3.0 rather than 3.1: peers then send
// subscriptions as messages and never PING, though both forms are
// understood.
var greeting = func() []byte {
	g := make([]byte, greetingSize)
	g[0] = 0xff
	g[9] = 0x7f
	g[10], g[11] = 3, 0
	copy(g[12:32], "NULL")
	return g
}()

// checkGreeting validates a peer's greeting.
func checkGreeting(g []byte) error {
	if g[0] != 0xff || g[9] != 0x7f {
		return errors.New("not a ZMTP 3 greeting")
	}
	if g[10] < 3 {
		return fmt.Errorf("ZMTP version %d.%d is not supported", g[10], g[11])
	}
	mech := string(bytes.TrimRight(g[12:32], "\x00"))
	if mech != "NULL" {
		return fmt.Errorf("security mechanism %q is not supported (only NULL)", mech)
	}
	return nil
}

// zmtpConn is one connection of a socket, after its handshake.
type zmtpConn struct {
	net.Conn
	r *bufio.Reader

	peerType string // the peer's Socket-Type
	identity []byte // the peer's Identity, possibly empty

	writeTimeout time.Duration
	wmu          sync.Mutex // one message at a time
}

// handshake performs the greeting and the NULL mechanism's READY exchange as
// a socket of type sockType, and checks that the peer's type is in accept.
// The caller bounds it with a deadline on conn.
func handshake(conn net.Conn, sockType string, accept ...string) (*zmtpConn, error) {
	c := &zmtpConn{Conn: conn, r: bufio.NewReader(conn)}
	if _, err := conn.Write(greeting); err != nil {
		return nil, err
	}
	peer := make([]byte, greetingSize)
	if _, err := io.ReadFull(c.r, peer); err != nil {
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if err := checkGreeting(peer); err != nil {
		return nil, err
	}

	// Written as it is, under the caller's deadline (writeFrames would
	// set its own).
	ready := commandBody(cmdReady, readyProperties(sockType))
	frame := append([]byte{flagCommand, byte(len(ready))}, ready...) // READY is short
	if _, err := conn.Write(frame); err != nil {
		return nil, err
	}
	flags, body, err := readFrame(c.r, maxCommandSize)
	if err != nil {
		return nil, fmt.Errorf("READY: %w", err)
	}
	if flags&flagCommand == 0 || flags&flagMore != 0 {
		return nil, errors.New("a message before the handshake's READY")
	}
	name, data, err := parseCommand(body)
	if err != nil {
		return nil, err
	}
	switch name {
	case cmdReady:
	case cmdError:
		reason := data
		if len(reason) > 0 {
			reason = reason[1:min(len(reason), 1+int(reason[0]))]
		}
		return nil, fmt.Errorf("peer refused the handshake: %q", reason)
	default:
		return nil, fmt.Errorf("command %q where READY was expected", name)
	}
	props, err := parseProperties(data)
	if err != nil {
		return nil, fmt.Errorf("READY: %w", err)
	}
	c.peerType = props["socket-type"]
	if !slices.Contains(accept, c.peerType) {
		return nil, fmt.Errorf("a %s socket cannot talk to a %q socket", sockType, field(c.peerType))
	}
	if id, ok := props["identity"]; ok {
		if len(id) > 255 {
			return nil, errors.New("identity longer than 255 bytes")
		}
		c.identity = []byte(id)
	}
	return c, nil
}

// readyProperties is READY's metadata: the socket type, and for a ROUTER an
// empty identity, as libzmq sends it.
func readyProperties(sockType string) []byte {
	var b []byte
	add := func(name, value string) {
		b = append(b, byte(len(name)))
		b = append(b, name...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(value)))
		b = append(b, value...)
	}
	add("Socket-Type", sockType)
	if sockType == "ROUTER" {
		add("Identity", "")
	}
	return b
}

// commandBody lays out a command: its name's length, its name, its data.
func commandBody(name string, data []byte) []byte {
	b := make([]byte, 0, 1+len(name)+len(data))
	b = append(b, byte(len(name)))
	b = append(b, name...)
	return append(b, data...)
}

// parseCommand splits a command frame's body into name and data.
func parseCommand(body []byte) (name string, data []byte, err error) {
	if len(body) == 0 || int(body[0]) > len(body)-1 {
		return "", nil, errors.New("malformed command")
	}
	return string(body[1 : 1+body[0]]), body[1+body[0]:], nil
}

// parseProperties decodes ZMTP metadata; names are case-insensitive, so
// they are returned in lower case.
func parseProperties(b []byte) (map[string]string, error) {
	props := make(map[string]string)
	for len(b) > 0 {
		n := int(b[0])
		if len(b) < 1+n+4 {
			return nil, errors.New("truncated metadata")
		}
		name := strings.ToLower(string(b[1 : 1+n]))
		size := binary.BigEndian.Uint32(b[1+n:])
		b = b[1+n+4:]
		if uint64(size) > uint64(len(b)) {
			return nil, errors.New("truncated metadata value")
		}
		props[name] = string(b[:size])
		b = b[size:]
	}
	return props, nil
}

// readFrame reads one ZMTP 3 frame: a flags byte, a 1- or 8-byte size, and
// the body, which may be at most limit bytes. A body larger than
// eagerFrameSize is read in steps, its buffer growing with what arrives.
func readFrame(r *bufio.Reader, limit int) (flags byte, body []byte, err error) {
	flags, size, err := readFrameHeader(r)
	if err != nil {
		return 0, nil, err
	}
	if size > uint64(limit) {
		return 0, nil, fmt.Errorf("frame of %d bytes is over the limit of %d", size, limit)
	}
	if size <= eagerFrameSize {
		body = make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			return 0, nil, noEOF(err)
		}
		return flags, body, nil
	}
	body = make([]byte, 0, eagerFrameSize)
	for len(body) < int(size) {
		if len(body) == cap(body) {
			// Double, but not past the announced size.
			body = slices.Grow(body, min(len(body), int(size)-len(body)))
		}
		n, err := io.ReadFull(r, body[len(body):min(cap(body), int(size))])
		body = body[:len(body)+n]
		if err != nil {
			return 0, nil, noEOF(err)
		}
	}
	return flags, body, nil
}

// readFrameHeader reads a frame's flags and size.
func readFrameHeader(r *bufio.Reader) (flags byte, size uint64, err error) {
	flags, err = r.ReadByte()
	if err != nil {
		return 0, 0, err
	}
	if flags&flagsReserved != 0 {
		return 0, 0, fmt.Errorf("frame flags %#x: reserved bits set", flags)
	}
	if flags&flagLong != 0 {
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, 0, noEOF(err)
		}
		return flags, binary.BigEndian.Uint64(b[:]), nil
	}
	b, err := r.ReadByte()
	if err != nil {
		return 0, 0, noEOF(err)
	}
	return flags, uint64(b), nil
}

// noEOF reports a connection that ended inside a frame as what it is.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// writeFrames sends frames as one message (or, with flagCommand, one
// command) under the connection's write deadline. Messages from several
// goroutines do not interleave.
func (c *zmtpConn) writeFrames(frames [][]byte, flags byte) error {
	return c.writeFramesProgress(frames, flags, nil)
}

// writeFramesProgress is writeFrames, calling moved (when not nil) after
// each chunk of a large message is written.
func (c *zmtpConn) writeFramesProgress(frames [][]byte, flags byte, moved func()) error {
	hdrs := make([]byte, 0, 9*len(frames))
	bufs := make(net.Buffers, 0, 2*len(frames))
	total := 0
	for i, f := range frames {
		fl := flags
		if i < len(frames)-1 {
			fl |= flagMore
		}
		start := len(hdrs)
		if len(f) > 255 {
			hdrs = binary.BigEndian.AppendUint64(append(hdrs, fl|flagLong), uint64(len(f)))
		} else {
			hdrs = append(hdrs, fl, byte(len(f)))
		}
		bufs = append(bufs, hdrs[start:len(hdrs):len(hdrs)], f)
		total += len(hdrs) - start + len(f)
	}
	timeout := c.writeTimeout
	if timeout <= 0 {
		timeout = defaultWriteTimeout
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if total <= writeChunk {
		// One system call (writev) for the whole message.
		if err := c.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
			return err
		}
		_, err := bufs.WriteTo(c.Conn)
		return err
	}
	for len(bufs) > 0 {
		var chunk net.Buffers
		n := 0
		for len(bufs) > 0 && n < writeChunk {
			b := bufs[0]
			if room := writeChunk - n; len(b) > room {
				chunk = append(chunk, b[:room])
				bufs[0] = b[room:]
				n += room
				break
			}
			chunk = append(chunk, b)
			n += len(b)
			bufs = bufs[1:]
		}
		if err := c.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
			return err
		}
		if _, err := chunk.WriteTo(c.Conn); err != nil {
			return err
		}
		if moved != nil {
			moved()
		}
	}
	return nil
}

// pong answers a PING command's data (a 2-byte TTL, then a context that the
// PONG echoes).
func (c *zmtpConn) pong(ping []byte) error {
	var context []byte
	if len(ping) > 2 {
		context = ping[2:]
	}
	return c.writeFrames([][]byte{commandBody(cmdPong, context)}, flagCommand)
}

// zmtpListener accepts the connections of one socket. Each runs in a
// goroutine of its own: the handshake, under the handshake timeout, and
// then the socket's serve function, until the connection ends. Close stops
// accepting, closes every connection and waits for those goroutines. At
// most maxConns connections are open at once: more are closed as they are
// accepted (admission.go says why).
type zmtpListener struct {
	ln       net.Listener
	name     string // for the log: "shell", "iopub", ...
	log      *log.Logger
	timeouts socketTimeouts
	sockType string
	accept   []string          // the peer socket types allowed
	serve    func(c *zmtpConn) // runs after the handshake; returns when c ends
	maxConns int
	mu       sync.Mutex            // guards conns and closed
	conns    map[net.Conn]struct{} // every open connection
	closed   bool
	wg       sync.WaitGroup // the accept loop and one goroutine per connection
}

// listenZMTP binds endpoint (tcp:// or ipc://) and starts accepting.
func listenZMTP(endpoint, name string, logger *log.Logger, timeouts socketTimeouts,
	sockType string, accept []string, serve func(*zmtpConn)) (*zmtpListener, error) {
	network, addr, err := splitEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	l := &zmtpListener{
		ln:       ln,
		name:     name,
		log:      logger,
		timeouts: timeouts.orDefaults(),
		sockType: sockType,
		accept:   accept,
		serve:    serve,
		maxConns: maxConnections,
		conns:    make(map[net.Conn]struct{}),
	}
	l.wg.Go(l.acceptLoop)
	return l, nil
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
func (l *zmtpListener) Addr() net.Addr { return l.ln.Addr() }

func (l *zmtpListener) acceptLoop() {
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Typically out of file descriptors: wait a little rather than
			// spin, but stop at once if the socket is closed meanwhile.
			l.log.Printf("%s: accept: %v", l.name, err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		// Go sets TCP_NODELAY on TCP connections by default: each message
		// leaves in one write and nothing waits for Nagle's algorithm.
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			conn.Close()
			return
		}
		if len(l.conns) >= l.maxConns {
			l.mu.Unlock()
			l.log.Printf("%s: refusing %s: %d connections are open already", l.name, conn.RemoteAddr(), l.maxConns)
			conn.Close()
			continue
		}
		l.conns[conn] = struct{}{}
		l.mu.Unlock()
		l.wg.Go(func() { l.run(conn) })
	}
}

// run performs the handshake with one connection under the handshake
// timeout, then serves it until it ends.
func (l *zmtpListener) run(conn net.Conn) {
	defer func() {
		conn.Close()
		l.mu.Lock()
		delete(l.conns, conn)
		l.mu.Unlock()
	}()
	_ = conn.SetDeadline(time.Now().Add(l.timeouts.handshake))
	c, err := handshake(conn, l.sockType, l.accept...)
	if err != nil {
		l.log.Printf("%s: handshake with %s: %v", l.name, conn.RemoteAddr(), err)
		return
	}
	_ = conn.SetDeadline(time.Time{})
	c.writeTimeout = l.timeouts.write
	l.serve(c)
}

// Close stops accepting, closes every connection and waits for their
// goroutines to end. Data already written is delivered by the operating
// system after the close, as with any TCP or unix socket.
func (l *zmtpListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	err := l.ln.Close() // also removes an ipc socket file
	l.wg.Wait()
	return err
}
