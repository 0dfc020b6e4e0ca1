package mp

import (
	"bufio"
	"context"
	"net"
	"testing"
)

// cancelAfterReply is a client's connection whose Read cancels the call's
// context once the whole reply has been read: the interrupt lands between
// the reply's arrival and the call's return.
type cancelAfterReply struct {
	net.Conn
	left   int
	cancel context.CancelFunc
}

func (c *cancelAfterReply) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.left -= n; c.left <= 0 {
		c.cancel()
	}
	return n, err
}

// A reply that arrived whole is the call's result even if the cell is
// interrupted right after: for a QueueProxy.Get it holds an item the
// manager has already taken out of its queue, which would be lost.
func TestManagerReplyReadBeforeInterruptIsKept(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	item := []byte("the item")
	reply := appendManagerMessage(nil, managerMessage{parts: [][]byte{item}})
	go func() {
		r := bufio.NewReader(server)
		if _, err := readManagerMessage(r); err != nil {
			return
		}
		writeManagerBody(server, reply)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn := &cancelAfterReply{Conn: client, left: 4 + len(reply), cancel: cancel}
	c := newManagerClient(managerEndpoint{network: "unix", address: "/nonexistent"})
	c.idle = []*clientConn{{conn: conn, r: bufio.NewReaderSize(conn, 16)}}
	got, err := c.call(ctx, managerMessage{op: mopQueueGet, obj: 1, num: -1})
	if err != nil || len(got.parts) != 1 || string(got.parts[0]) != string(item) {
		t.Fatalf("got %q, %v; want the item", got.parts, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.idle) != 0 {
		t.Fatal("a connection whose deadline an interrupt may have set went back to the pool")
	}
}
