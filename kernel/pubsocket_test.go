package kernel

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
	"github.com/google/uuid"
)

func newTestPub(t *testing.T, endpoint string, timeouts socketTimeouts) *pubSocket {
	t.Helper()
	p, err := listenPub(endpoint, log.New(io.Discard, "", 0), timeouts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		checkNoKernelGoroutines(t)
	})
	return p
}

func pubEndpoint(p *pubSocket) string {
	if a, ok := p.Addr().(*net.TCPAddr); ok {
		return "tcp://" + a.String()
	}
	return "ipc://" + p.Addr().String()
}

// subscribe connects a zmq4 SUB socket to p with the given subscriptions and
// waits until p has registered them, which it shows by delivering a probe.
func subscribe(t *testing.T, p *pubSocket, topics ...string) (zmq4.Socket, chan zmq4.Msg) {
	t.Helper()
	sub := zmq4.NewSub(context.Background())
	if err := sub.Dial(pubEndpoint(p)); err != nil {
		t.Fatal(err)
	}
	for _, topic := range append(topics, "probe") {
		if err := sub.SetOption(zmq4.OptionSubscribe, topic); err != nil {
			t.Fatal(err)
		}
	}
	in := make(chan zmq4.Msg, 100)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := sub.Recv()
			if err != nil {
				return
			}
			select {
			case in <- m:
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		sub.Close()
		<-done
	})
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		p.Send([][]byte{[]byte("probe")})
		select {
		case <-in:
			drainProbes(t, p, in)
			return sub, in
		case <-time.After(20 * time.Millisecond): // retry, as jupyter_client does
		}
	}
	t.Fatal("subscription never took effect")
	return nil, nil
}

// drainProbes discards the probes still on their way to each subscriber: it
// sends a last, marked one, and reads up to it (a subscriber gets messages in
// the order they were sent).
func drainProbes(t *testing.T, p *pubSocket, ins ...chan zmq4.Msg) {
	t.Helper()
	marker := []byte(uuid.NewString())
	p.Send([][]byte{[]byte("probe"), marker})
	for _, in := range ins {
		for {
			m := <-in
			if string(m.Frames[0]) == "probe" && len(m.Frames) == 2 && bytes.Equal(m.Frames[1], marker) {
				break
			}
		}
	}
}

func TestPubTopicsAndFrames(t *testing.T) {
	for _, transport := range []string{"tcp", "ipc"} {
		t.Run(transport, func(t *testing.T) {
			ep := "tcp://127.0.0.1:0"
			if transport == "ipc" {
				ep = "ipc://" + filepath.Join(t.TempDir(), "pub")
			}
			p := newTestPub(t, ep, socketTimeouts{})
			_, all := subscribe(t, p, "")
			_, some := subscribe(t, p, "kernel.")
			drainProbes(t, p, all, some) // all also got some's probes

			long := bytes.Repeat([]byte("y"), 1000) // needs the 8-byte size form
			p.Send([][]byte{[]byte("stream.stdout"), []byte("a"), {}, long})
			p.Send([][]byte{[]byte("kernel.x.status"), []byte("b")})

			m := <-all
			if len(m.Frames) != 4 || string(m.Frames[1]) != "a" || len(m.Frames[2]) != 0 || !bytes.Equal(m.Frames[3], long) {
				t.Errorf("frames %q", m.Frames)
			}
			if m := <-all; string(m.Frames[1]) != "b" {
				t.Errorf("second message %q", m.Frames)
			}
			// "kernel." does not prefix "stream.stdout".
			if m := <-some; string(m.Frames[0]) != "kernel.x.status" {
				t.Errorf("filtered subscriber got %q", m.Frames)
			}
		})
	}
}

func TestPubUnsubscribe(t *testing.T) {
	p := newTestPub(t, "tcp://127.0.0.1:0", socketTimeouts{})
	sub, in := subscribe(t, p, "a")
	if err := sub.SetOption(zmq4.OptionUnsubscribe, "a"); err != nil {
		t.Fatal(err)
	}
	// The unsubscription is processed before the marked probe is sent...
	for {
		p.Send([][]byte{[]byte("a")})
		drainProbes(t, p, in)
		p.Send([][]byte{[]byte("a")})
		p.Send([][]byte{[]byte("probe")})
		if m := <-in; string(m.Frames[0]) == "probe" {
			return // ...and from then on, nothing for "a" arrives
		}
		<-in // the probe
	}
}

// A connection that never completes its handshake does not keep others out,
// and is dropped after the handshake timeout.
func TestPubSilentConnection(t *testing.T) {
	p := newTestPub(t, "tcp://127.0.0.1:0", socketTimeouts{handshake: 50 * time.Millisecond})
	silent, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	subscribe(t, p, "")
	_ = silent.SetReadDeadline(time.Now().Add(waitLimit))
	if _, err := io.Copy(io.Discard, silent); err != nil {
		t.Errorf("silent connection: %v, want it closed by the socket", err)
	}
}

// A subscriber that stops reading is disconnected instead of blocking Send.
func TestPubDropsStuckSubscriber(t *testing.T) {
	p := newTestPub(t, "tcp://127.0.0.1:0", socketTimeouts{write: 20 * time.Millisecond})
	conn := rawSubscriber(t, p)
	defer conn.Close()
	big := bytes.Repeat([]byte("z"), 1<<20)
	for range 64 { // more than TCP buffers and the queue hold
		p.Send([][]byte{[]byte("t"), big})
	}
	for deadline := time.Now().Add(waitLimit); p.subscribers() > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the stuck subscriber was never dropped")
		}
		time.Sleep(time.Millisecond)
	}
}

// Heartbeat PINGs (libzmq's ZMQ_HEARTBEAT_IVL) are answered with a PONG that
// echoes the context.
func TestPubAnswersPing(t *testing.T) {
	p := newTestPub(t, "tcp://127.0.0.1:0", socketTimeouts{})
	conn := rawSubscriber(t, p)
	defer conn.Close()
	ping := append([]byte{4}, "PING"...)
	ping = append(ping, 0, 10, 'c', 't', 'x')
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

// rawSubscriber completes a SUB handshake over a plain connection, subscribes
// to everything, and then reads nothing by itself.
func rawSubscriber(t *testing.T, p *pubSocket) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zmq4.Open(conn, null.Security(), zmq4.Sub, zmq4.SocketIdentity(""), false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte{0, 1, 1}); err != nil { // subscribe to ""
		t.Fatal(err)
	}
	for p.subscribers() == 0 || !p.anyWants([]byte("t")) {
		time.Sleep(time.Millisecond)
	}
	return conn
}

func (p *pubSocket) anyWants(topic []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for s := range p.peers {
		if s.wants(topic) {
			return true
		}
	}
	return false
}

func TestReadFrameLimits(t *testing.T) {
	huge := []byte{flagLong, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if _, _, err := readFrame(bufio.NewReader(bytes.NewReader(huge)), 100); err == nil {
		t.Error("a frame announcing 2^64 bytes was accepted")
	}
	if _, _, err := readFrame(bufio.NewReader(bytes.NewReader([]byte{0, 5, 'a'})), 100); err == nil {
		t.Error("a truncated frame was accepted")
	}
}

// A subscriber that completed its handshake and then never reads (with a
// small receive buffer, so TCP holds little for it) loses messages once its
// queue is full; a subscriber that reads gets every message, in order, and
// the stalled one is not waited for beyond pubDropAfter.
func TestPubStalledSubscriberDoesNotStallOthers(t *testing.T) {
	// A long write timeout: the stalled subscriber stays connected, so the
	// test sees it fall behind rather than be disconnected.
	p := newTestPub(t, "tcp://127.0.0.1:0", socketTimeouts{write: waitLimit})
	p.limits.queueBytes = 1 << 20 // less than what is sent, for certain
	// More patience than the default, so that a loaded machine that keeps
	// the live reader from running for a second does not fail the test.
	p.limits.dropAfter = 3 * time.Second
	stalled := stalledSubscriber(t, p)
	defer stalled.Close()
	_, live := subscribe(t, p, "")

	const n, size = 320, 64 << 10 // 20 MiB
	pad := bytes.Repeat([]byte("x"), size)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := range n {
			p.Send([][]byte{[]byte("stream"), []byte(strconv.Itoa(i)), pad})
		}
	}()
	for i := range n {
		var m zmq4.Msg
		select {
		case m = <-live:
		case <-time.After(waitLimit):
			t.Fatalf("the live subscriber got %d of %d messages", i, n)
		}
		if string(m.Frames[1]) != strconv.Itoa(i) || len(m.Frames[2]) != size {
			t.Fatalf("message %d: got number %q, %d bytes", i, m.Frames[1], len(m.Frames[2]))
		}
	}
	<-sent
	var behind *subscriber
	for _, s := range p.snapshot() {
		s.mu.Lock()
		if s.dropped > 0 {
			behind = s
		}
		s.mu.Unlock()
	}
	if behind == nil || len(p.snapshot()) != 2 {
		t.Fatalf("%d subscribers, none dropping messages: the stalled one was not left behind", len(p.snapshot()))
	}
	// Flush waits for the live subscriber only.
	p.Send([][]byte{[]byte("stream"), []byte("last")})
	p.Flush()
	if m := <-live; string(m.Frames[1]) != "last" {
		t.Errorf("after the flush, got %q", m.Frames[1])
	}
}

// stalledSubscriber connects with a 4 KiB receive buffer, completes a SUB
// handshake, subscribes to everything and then reads nothing.
func stalledSubscriber(t *testing.T, p *pubSocket) net.Conn {
	t.Helper()
	before := p.subscribers()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zmq4.Open(conn, null.Security(), zmq4.Sub, zmq4.SocketIdentity(""), false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte{0, 1, 1}); err != nil { // subscribe to ""
		t.Fatal(err)
	}
	for deadline := time.Now().Add(waitLimit); p.subscribers() == before || !p.anyWants([]byte("stream")); {
		if time.Now().After(deadline) {
			t.Fatal("the stalled subscriber never subscribed")
		}
		time.Sleep(time.Millisecond)
	}
	return conn
}
