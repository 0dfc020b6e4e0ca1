package mp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// managerEndpoint is where a manager is and how to get in: all a process
// needs to reach it, and what a proxy's shared descriptor holds.
type managerEndpoint struct {
	network string // "unix" or "tcp"
	address string
	key     []byte
}

func (e managerEndpoint) String() string {
	if e.network == "unix" {
		return "unix:" + e.address
	}
	return e.address
}

// parseManagerAddress reads "host:port" (TCP) or "unix:/path" (a local
// manager's socket, as Manager.Address gives it).
func parseManagerAddress(addr string) (network, address string) {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		return "unix", path
	}
	return "tcp", addr
}

// managerClient is a process's way to one manager: a small pool of
// authenticated connections. A request takes an idle connection (or opens
// one), so one blocked request (a Queue.Get, a Lock.Acquire) holds one
// connection while the process's other proxies go on using others. It has
// no goroutine of its own.
type managerClient struct {
	endpoint managerEndpoint

	mu     sync.Mutex
	idle   []*clientConn
	closed bool
}

// maxIdleConns is how many idle connections a client keeps for later
// requests; more are closed when returned.
const maxIdleConns = 4

type clientConn struct {
	conn net.Conn
	r    *bufio.Reader
	// spent: an interrupt may have set the connection's deadline (and
	// closed it): put closes it rather than keep it.
	spent bool
}

// errManagerClosed is the error of a proxy used after its Manager's
// Shutdown in this process.
var errManagerClosed = errors.New("mp: the manager was shut down")

func newManagerClient(e managerEndpoint) *managerClient {
	return &managerClient{endpoint: e}
}

// dial opens and authenticates a new connection. When the server holds
// this address back (failed attempts from it a moment ago, a student's
// typo say), it waits as long as the server asks, a few times.
func (c *managerClient) dial(ctx context.Context) (*clientConn, error) {
	for try := 1; ; try++ {
		cc, err := c.dialOnce(ctx)
		var later *errRetryLater
		if !errors.As(err, &later) || try == maxHeldBackTries || later.after > handshakeTimeout {
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, fmt.Errorf("mp: connecting to the manager at %s: %w", c.endpoint, err)
			}
			return cc, nil
		}
		select {
		case <-time.After(later.after):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// maxHeldBackTries is how many times dial tries an address the server holds
// back.
const maxHeldBackTries = 4

func (c *managerClient) dialOnce(ctx context.Context) (*clientConn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.endpoint.network, c.endpoint.address)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	conn.SetDeadline(time.Now().Add(handshakeTimeout))
	cc := &clientConn{conn: conn, r: bufio.NewReader(conn)}
	if err := clientHandshake(conn, cc.r, c.endpoint.key); err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return cc, nil
}

// get takes an idle connection or opens one.
func (c *managerClient) get(ctx context.Context) (*clientConn, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errManagerClosed
	}
	if n := len(c.idle); n > 0 {
		cc := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return cc, nil
	}
	c.mu.Unlock()
	return c.dial(ctx)
}

// put gives a connection back for later requests.
func (c *managerClient) put(cc *clientConn) {
	c.mu.Lock()
	if !c.closed && !cc.spent && len(c.idle) < maxIdleConns {
		c.idle = append(c.idle, cc)
		cc = nil
	}
	c.mu.Unlock()
	if cc != nil {
		cc.conn.Close()
	}
}

// roundTrip sends a request on cc and reads its reply. On any failure it
// closes cc (its state is unknown); when ctx ends first (a kernel
// interrupt) that also tells the server, whose blocking request returns.
func (c *managerClient) roundTrip(ctx context.Context, cc *clientConn, req managerMessage) (managerMessage, error) {
	stop := context.AfterFunc(ctx, func() { cc.conn.SetDeadline(time.Unix(1, 0)) })
	err := writeManagerMessage(cc.conn, req)
	var reply managerMessage
	if err == nil {
		reply, err = readManagerMessage(cc.r)
	}
	if !stop() {
		cc.conn.Close()
		cc.spent = true
		if err == nil {
			// The reply came whole before the interrupt: it is the
			// answer (a Queue's Get holds an item the manager has taken
			// out; dropping it would lose it).
			return reply, replyError(reply)
		}
		return managerMessage{}, ctx.Err()
	}
	if err != nil {
		cc.conn.Close()
		if c.isClosed() {
			return managerMessage{}, errManagerClosed
		}
		return managerMessage{}, fmt.Errorf("mp: the manager at %s: %w", c.endpoint, err)
	}
	return reply, replyError(reply)
}

// replyError is the error a reply carries (statusError), nil for others.
func replyError(reply managerMessage) error {
	if reply.op == statusError {
		msg := "error"
		if len(reply.parts) > 0 {
			msg = string(reply.parts[0])
		}
		return fmt.Errorf("mp: manager: %s", msg)
	}
	return nil
}

// call is one request on a pooled connection.
func (c *managerClient) call(ctx context.Context, req managerMessage) (managerMessage, error) {
	cc, err := c.get(ctx)
	if err != nil {
		return managerMessage{}, err
	}
	reply, err := c.roundTrip(ctx, cc, req)
	if err == nil || reply.op == statusError {
		c.put(cc) // an error reply leaves the connection as good as before
	}
	return reply, err
}

func (c *managerClient) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// close closes the idle connections; ones in use are closed when returned.
func (c *managerClient) close() {
	c.mu.Lock()
	idle := c.idle
	c.idle, c.closed = nil, true
	c.mu.Unlock()
	for _, cc := range idle {
		cc.conn.Close()
	}
}

// openedClients are the clients of the managers whose proxies this process
// received (as arguments, in a queue...), one per manager: all of its
// proxies share the pool.
var openedClients struct {
	mu sync.Mutex
	m  map[string]*managerClient // by endpoint and key
}

func openedClient(e managerEndpoint) *managerClient {
	key := e.network + "\x00" + e.address + "\x00" + string(e.key)
	openedClients.mu.Lock()
	defer openedClients.mu.Unlock()
	if c := openedClients.m[key]; c != nil {
		return c
	}
	if openedClients.m == nil {
		openedClients.m = map[string]*managerClient{}
	}
	c := newManagerClient(e)
	openedClients.m[key] = c
	return c
}

// closeOpenedClients closes every opened client (the session ends).
func closeOpenedClients() {
	openedClients.mu.Lock()
	clients := openedClients.m
	openedClients.m = nil
	openedClients.mu.Unlock()
	for _, c := range clients {
		c.close()
	}
}
