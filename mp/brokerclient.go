package mp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// brokerClient is a process's connection to its kernel's broker. Requests
// from many goroutines share it; a reader goroutine hands each reply to the
// request with its id, and ends when the connection closes.
type brokerClient struct {
	conn *net.UnixConn

	wmu sync.Mutex // one frame written at a time

	mu      sync.Mutex
	nextID  uint32
	pending map[uint32]chan frame
	err     error // set when the connection is gone

	done chan struct{} // closed when the reader has ended
}

// errBrokerGone is the error of requests once the kernel's broker is gone
// (the kernel shut down, or this process's connection was closed).
var errBrokerGone = errors.New("mp: the kernel's broker is gone (the kernel shut down or restarted)")

// dialBroker connects to the broker and presents the token.
func dialBroker(addr brokerAddress) (*brokerClient, error) {
	if addr.Path == "" {
		return nil, errors.New("mp: this process has no broker address (it was not started by a gomp kernel)")
	}
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: addr.Path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("mp: connecting to the kernel's broker: %w", err)
	}
	r := bufio.NewReader(conn)
	if err := writeFrame(conn, frame{op: opHello, payload: []byte(addr.Token)}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("mp: greeting the kernel's broker: %w", err)
	}
	welcome, err := readFrame(r)
	if err != nil || welcome.op != opWelcome {
		conn.Close()
		return nil, fmt.Errorf("mp: the kernel's broker refused this process (%v)", err)
	}
	c := &brokerClient{conn: conn, pending: map[uint32]chan frame{}, done: make(chan struct{})}
	go c.read(r)
	return c, nil
}

// brokerConn returns this process's broker connection, connecting the
// first time.
func brokerConn() (*brokerClient, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.client != nil {
		return rt.client, nil
	}
	addr, err := rt.brokerAddressLocked()
	if err != nil {
		return nil, err
	}
	c, err := dialBroker(addr)
	if err != nil {
		return nil, err
	}
	rt.client = c
	return c, nil
}

// read delivers replies until the connection closes; then every waiting
// request fails.
func (c *brokerClient) read(r *bufio.Reader) {
	defer close(c.done)
	for {
		f, err := readFrame(r)
		if err != nil {
			c.fail(errBrokerGone)
			return
		}
		c.mu.Lock()
		ch := c.pending[f.id]
		delete(c.pending, f.id)
		c.mu.Unlock()
		if ch != nil {
			ch <- f // buffered: the reader never waits for a caller
		}
	}
}

func (c *brokerClient) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
}

// call sends a request and waits for its reply, or for ctx.
func (c *brokerClient) call(ctx context.Context, op byte, payload []byte) (frame, error) {
	ch := make(chan frame, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return frame{}, c.err
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()

	c.wmu.Lock()
	err := writeFrame(c.conn, frame{op: op, id: id, payload: payload})
	c.wmu.Unlock()
	if err != nil {
		c.forget(id)
		return frame{}, errBrokerGone
	}
	select {
	case f, ok := <-ch:
		if !ok {
			return frame{}, errBrokerGone
		}
		if f.op == opError {
			return frame{}, fmt.Errorf("mp: broker: %s", f.payload)
		}
		return f, nil
	case <-ctx.Done():
		c.forget(id) // a late reply is dropped
		return frame{}, ctx.Err()
	}
}

func (c *brokerClient) forget(id uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, id)
}

// close closes the connection and waits for the reader to end.
func (c *brokerClient) close() {
	c.conn.Close()
	<-c.done
}
