package kernel

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

func newTestRouter(t *testing.T, timeouts socketTimeouts) *routerSocket {
	t.Helper()
	r, err := listenRouter("tcp://127.0.0.1:0", "test", log.New(io.Discard, "", 0), timeouts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		checkNoKernelGoroutines(t)
	})
	return r
}

// dealer connects a zmq4 DEALER to r, named id ("" for none).
func dealer(t *testing.T, r *routerSocket, id string) zmq4.Socket {
	t.Helper()
	var opts []zmq4.Option
	if id != "" {
		opts = append(opts, zmq4.WithID(zmq4.SocketIdentity(id)))
	}
	d := zmq4.NewDealer(context.Background(), opts...)
	if err := d.Dial("tcp://" + r.Addr().String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// recvTimeout is r.Recv bounded by waitLimit.
func recvTimeout(t *testing.T, r *routerSocket) [][]byte {
	t.Helper()
	got := make(chan [][]byte, 1)
	go func() {
		m, release, err := r.Recv()
		if err != nil {
			m = nil
		} else {
			release()
		}
		got <- m
	}()
	select {
	case m := <-got:
		if m == nil {
			t.Fatal("Recv failed")
		}
		return m
	case <-time.After(waitLimit):
		r.Close() // ends the Recv above
		t.Fatal("nothing received")
		return nil
	}
}

func dealerRecv(t *testing.T, d zmq4.Socket) [][]byte {
	t.Helper()
	got := make(chan zmq4.Msg, 1)
	go func() {
		m, _ := d.Recv()
		got <- m
	}()
	select {
	case m := <-got:
		return m.Frames
	case <-time.After(waitLimit):
		d.Close()
		t.Fatal("the dealer received nothing")
		return nil
	}
}

func send(t *testing.T, d zmq4.Socket, frames ...string) {
	t.Helper()
	var fs [][]byte
	for _, f := range frames {
		fs = append(fs, []byte(f))
	}
	if err := d.SendMulti(zmq4.NewMsgFrom(fs...)); err != nil {
		t.Fatal(err)
	}
}

// Messages arrive with their sender's identity first; a reply goes to the
// peer it names and to no other; a peer without an identity gets a libzmq-
// style one; replies to nobody fail.
func TestRouterIdentities(t *testing.T) {
	r := newTestRouter(t, socketTimeouts{})
	a, b := dealer(t, r, "alice"), dealer(t, r, "bob")

	send(t, a, "from", "alice")
	if m := recvTimeout(t, r); len(m) != 3 || string(m[0]) != "alice" || string(m[2]) != "alice" {
		t.Fatalf("got %q", m)
	}
	// zmq4 always names its sockets; libzmq's DEALER does not by default.
	anon := rawDealer(t, r, "")
	if _, err := anon.Write([]byte{0, 1, 'x'}); err != nil {
		t.Fatal(err)
	}
	m := recvTimeout(t, r)
	if len(m[0]) != 5 || m[0][0] != 0 || string(m[1]) != "x" {
		t.Errorf("got %q, want a 5-byte identity starting with 0", m)
	}
	if err := r.Send([][]byte{m[0], []byte("to anon")}); err != nil {
		t.Fatal(err)
	}
	_ = anon.SetReadDeadline(time.Now().Add(waitLimit))
	if _, f, err := readFrame(bufio.NewReader(anon), 100); err != nil || string(f) != "to anon" {
		t.Errorf("anon got %q, %v", f, err)
	}

	if err := r.Send([][]byte{[]byte("bob"), []byte("to"), {}, []byte("bob")}); err != nil {
		t.Fatal(err)
	}
	if f := dealerRecv(t, b); len(f) != 3 || string(f[2]) != "bob" || len(f[1]) != 0 {
		t.Errorf("bob got %q", f)
	}
	// alice got nothing: her next message is the one sent to her now.
	if err := r.Send([][]byte{[]byte("alice"), []byte("only")}); err != nil {
		t.Fatal(err)
	}
	if f := dealerRecv(t, a); string(f[0]) != "only" {
		t.Errorf("alice got %q", f)
	}
	if err := r.Send([][]byte{[]byte("carol"), []byte("x")}); !errors.Is(err, errNoPeer) {
		t.Errorf("send to nobody: %v", err)
	}
}

// Two connections with one identity (two clients of one jupyter_client
// session) both get what is sent to it, and both are heard.
func TestRouterSharedIdentity(t *testing.T) {
	r := newTestRouter(t, socketTimeouts{})
	one, two := dealer(t, r, "same"), dealer(t, r, "same")
	send(t, one, "1")
	send(t, two, "2")
	seen := map[string]bool{}
	for range 2 {
		m := recvTimeout(t, r)
		seen[string(m[1])] = string(m[0]) == "same"
	}
	if !seen["1"] || !seen["2"] {
		t.Errorf("received %v", seen)
	}
	if err := r.Send([][]byte{[]byte("same"), []byte("both")}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []zmq4.Socket{one, two} {
		if f := dealerRecv(t, d); string(f[0]) != "both" {
			t.Errorf("got %q", f)
		}
	}
}

// A connection stalled halfway through its greeting keeps nobody out, and
// is closed when the handshake timeout passes.
func TestRouterStalledHandshake(t *testing.T) {
	r := newTestRouter(t, socketTimeouts{handshake: 100 * time.Millisecond})
	stalled, err := net.Dial("tcp", r.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if _, err := stalled.Write([]byte{0xff, 0, 0}); err != nil {
		t.Fatal(err)
	}
	d := dealer(t, r, "late")
	send(t, d, "hello")
	if m := recvTimeout(t, r); string(m[1]) != "hello" {
		t.Errorf("got %q", m)
	}
	waitClosed(t, stalled, "stalled connection")
}

// rawDealer completes a DEALER handshake over a plain connection, and waits
// until r has registered it.
func rawDealer(t *testing.T, r *routerSocket, id string) net.Conn {
	t.Helper()
	r.mu.Lock()
	before := len(r.peers)
	r.mu.Unlock()
	conn, err := net.Dial("tcp", r.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := zmq4.Open(conn, null.Security(), zmq4.Dealer, zmq4.SocketIdentity(id), false, nil); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); {
		r.mu.Lock()
		n := len(r.peers)
		r.mu.Unlock()
		if n > before {
			return conn
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the router never registered the peer")
	return nil
}

// waitClosed reads conn until the other side closes it.
func waitClosed(t *testing.T, conn net.Conn, what string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(waitLimit))
	_, err := io.Copy(io.Discard, conn)
	// A reset is a close with unread data on the other side.
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("%s: %v, want it closed by the socket", what, err)
	}
}

// A frame announcing more than the message limit ends the connection
// before anything is allocated for it.
func TestRouterRefusesHugeFrame(t *testing.T) {
	r := newTestRouter(t, socketTimeouts{})
	conn := rawDealer(t, r, "raw")
	var hdr [9]byte
	hdr[0] = flagLong
	binary.BigEndian.PutUint64(hdr[1:], 1<<40)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := conn.Write(hdr[:]); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, conn, "connection")
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("allocated %d bytes for a frame announced and never sent", grew)
	}
	// Others are still served.
	d := dealer(t, r, "next")
	send(t, d, "ok")
	recvTimeout(t, r)
}

// A frame within the limits allocates with the bytes that arrive, not with
// the size announced.
func TestReadFrameGrowsWithData(t *testing.T) {
	var hdr [9]byte
	hdr[0] = flagLong
	binary.BigEndian.PutUint64(hdr[1:], 200<<20)
	data := append(hdr[:], bytes.Repeat([]byte("x"), 100<<10)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := readFrame(bufio.NewReader(bytes.NewReader(data)), 256<<20)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated frame: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("allocated %d bytes for 100 KiB of a frame announced as 200 MiB", grew)
	}
	// A complete large frame reads back whole.
	want := bytes.Repeat([]byte("0123456789"), 30<<10)
	binary.BigEndian.PutUint64(hdr[1:], uint64(len(want)))
	flags, body, err := readFrame(bufio.NewReader(bytes.NewReader(append(hdr[:], want...))), 1<<20)
	if err != nil || flags != flagLong || !bytes.Equal(body, want) {
		t.Errorf("large frame: flags %x, %d bytes, %v", flags, len(body), err)
	}
}

// A message whose frames add up past the limit ends the connection.
func TestRouterMessageLimit(t *testing.T) {
	r := newTestRouter(t, socketTimeouts{})
	r.maxMessage = 1000
	conn := rawDealer(t, r, "raw")
	frame := append([]byte{flagMore | flagLong, 0, 0, 0, 0, 0, 0, 1, 0}, bytes.Repeat([]byte("z"), 256)...)
	for range 5 {
		if _, err := conn.Write(frame); err != nil {
			break // closed already
		}
	}
	waitClosed(t, conn, "connection")
}

// Only REQ, DEALER and ROUTER peers are accepted.
func TestRouterRefusesWrongSocketType(t *testing.T) {
	r := newTestRouter(t, socketTimeouts{})
	conn, err := net.Dial("tcp", r.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = zmq4.Open(conn, null.Security(), zmq4.Pub, zmq4.SocketIdentity(""), false, nil)
	if err == nil {
		// zmq4 checks compatibility on its side too; either way the
		// connection must end.
		waitClosed(t, conn, "PUB peer")
	}
}

// PING is answered with a PONG echoing its context.
func TestRouterAnswersPing(t *testing.T) {
	r := newTestRouter(t, socketTimeouts{})
	conn := rawDealer(t, r, "raw")
	ping := append(commandBody(cmdPing, []byte{0, 10}), "ctx"...)
	if _, err := conn.Write(append([]byte{flagCommand, byte(len(ping))}, ping...)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(waitLimit))
	flags, body, err := readFrame(bufio.NewReader(conn), 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	if flags != flagCommand || string(body) != "\x04PONGctx" {
		t.Errorf("got flags %x body %q", flags, body)
	}
}

// A message larger than one write chunk arrives whole, and a peer that
// stops reading is disconnected instead of blocking Send.
func TestRouterLargeMessagesAndStuckPeer(t *testing.T) {
	// The deadline is long enough for a reading peer to take each chunk on
	// a loaded machine, and short enough for the test.
	r := newTestRouter(t, socketTimeouts{write: time.Second})
	d := dealer(t, r, "reader")
	send(t, d, "hi")
	recvTimeout(t, r)
	big := bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/16)
	if err := r.Send([][]byte{[]byte("reader"), []byte("big"), big}); err != nil {
		t.Fatal(err)
	}
	if f := dealerRecv(t, d); len(f) != 2 || !bytes.Equal(f[1], big) {
		t.Errorf("got %d frames", len(f))
	}

	conn := rawDealer(t, r, "raw") // reads nothing
	for i := 0; ; i++ {
		if i == 1000 {
			t.Fatal("the stuck peer was never dropped")
		}
		if err := r.Send([][]byte{[]byte("raw"), big}); err != nil {
			if errors.Is(err, errNoPeer) {
				t.Fatal("the raw peer was not registered")
			}
			break
		}
	}
	waitClosed(t, conn, "stuck peer")
}

// Close ends every goroutine: the accept loop, a handshake in progress, and
// a reader waiting to deliver to a full queue (the cleanup checks).
func TestRouterCloseEndsEverything(t *testing.T) {
	r, err := listenRouter("ipc://"+t.TempDir()+"/r", "test", log.New(io.Discard, "", 0), socketTimeouts{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stalled, err := net.Dial("unix", r.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	d := zmq4.NewDealer(context.Background())
	defer d.Close()
	if err := d.Dial("ipc://" + r.Addr().String()); err != nil {
		t.Fatal(err)
	}
	for range routerQueue + 4 {
		send(t, d, "fill")
	}
	for len(r.in) < routerQueue {
		time.Sleep(time.Millisecond)
	}
	if err := r.Close(); err != nil && !strings.Contains(err.Error(), "closed") {
		t.Errorf("Close: %v", err)
	}
	if _, _, err := r.Recv(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Recv after Close: %v", err)
	}
	checkNoKernelGoroutines(t)
}

// Accepted TCP connections have TCP_NODELAY (Go's default), so a message
// never waits for Nagle's algorithm.
func TestAcceptedConnectionsHaveNoDelay(t *testing.T) {
	r := newTestRouter(t, socketTimeouts{})
	rawDealer(t, r, "nodelay")
	r.mu.Lock()
	c := r.peers["nodelay"][0]
	r.mu.Unlock()
	raw, err := c.Conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := raw.Control(func(fd uintptr) {
		v, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
	}); err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	if v == 0 {
		t.Error("TCP_NODELAY is off")
	}
}
