package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"
)

// testClient is a minimal Jupyter client over real zmq4 sockets, laid out as
// jupyter_client lays its own: DEALER sockets for shell, control and stdin
// (shell and stdin share an identity, which is how input requests find their
// way), a SUB for iopub and a REQ for the heartbeat.
type testClient struct {
	t       *testing.T
	auth    *Authenticator
	session string

	shell, control, stdin, iopub, hb zmq4.Socket
	shellIn, controlIn, stdinIn      chan Message
	iopubIn                          chan Message

	done chan struct{}
	wg   sync.WaitGroup
}

// waitLimit bounds every wait of a test for a message. It is a guard against
// a hung test, not an assertion about speed.
const waitLimit = 20 * time.Second

func dialClient(t *testing.T, conn ConnectionInfo, skip ...string) *testClient {
	t.Helper()
	id := zmq4.SocketIdentity(uuid.NewString())
	bg := context.Background()
	c := &testClient{
		t:         t,
		auth:      NewAuthenticator(conn.Key),
		session:   uuid.NewString(),
		shell:     zmq4.NewDealer(bg, zmq4.WithID(id)),
		control:   zmq4.NewDealer(bg, zmq4.WithID(id)),
		stdin:     zmq4.NewDealer(bg, zmq4.WithID(id)),
		iopub:     zmq4.NewSub(bg),
		hb:        zmq4.NewReq(bg),
		shellIn:   make(chan Message, 100),
		controlIn: make(chan Message, 100),
		stdinIn:   make(chan Message, 100),
		iopubIn:   make(chan Message, 10000),
		done:      make(chan struct{}),
	}
	for _, s := range []struct {
		channel string
		sock    zmq4.Socket
	}{
		{channelShell, c.shell}, {channelControl, c.control}, {channelStdin, c.stdin},
		{channelIOPub, c.iopub}, {channelHB, c.hb},
	} {
		if slices.Contains(skip, s.channel) {
			continue // the test dials it later (dialChannel)
		}
		c.dialChannel(conn, s.channel, s.sock)
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	c.read(c.shell, c.shellIn)
	c.read(c.control, c.controlIn)
	c.read(c.stdin, c.stdinIn)
	c.read(c.iopub, c.iopubIn)
	return c
}

// dialChannel connects sock to the kernel's socket for channel.
func (c *testClient) dialChannel(conn ConnectionInfo, channel string, sock zmq4.Socket) {
	c.t.Helper()
	ep, err := conn.Endpoint(channel)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sock.Dial(ep); err != nil {
		c.close()
		c.t.Fatalf("dial %s: %v", channel, err)
	}
}

// read decodes messages from sock into ch until the socket fails or closes.
func (c *testClient) read(sock zmq4.Socket, ch chan Message) {
	c.wg.Go(func() {
		for {
			zm, err := sock.Recv()
			if err != nil {
				return
			}
			msg, err := DecodeMessage(zm.Frames, c.auth)
			if err != nil {
				c.t.Errorf("client got an undecodable message: %v", err)
				continue
			}
			select {
			case ch <- msg:
			case <-c.done:
				return
			}
		}
	})
}

func (c *testClient) close() {
	select {
	case <-c.done:
		return
	default:
	}
	close(c.done)
	for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub, c.hb} {
		_ = s.Close()
	}
	c.wg.Wait()
}

// message builds a signed request.
func (c *testClient) message(msgType string, content any) (Message, [][]byte) {
	c.t.Helper()
	body, err := json.Marshal(content)
	if err != nil {
		c.t.Fatal(err)
	}
	h := newHeader(msgType, c.session)
	h.Username = "test"
	msg := Message{Header: h, Content: body}
	frames, err := EncodeMessage(msg, c.auth)
	if err != nil {
		c.t.Fatal(err)
	}
	return msg, frames
}

// send sends a request on sock and returns its msg_id.
func (c *testClient) send(sock zmq4.Socket, msgType string, content any) string {
	c.t.Helper()
	msg, frames := c.message(msgType, content)
	c.sendFrames(sock, frames)
	return msg.Header.MsgID
}

func (c *testClient) sendFrames(sock zmq4.Socket, frames [][]byte) {
	c.t.Helper()
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *testClient) execute(code string, extra map[string]any) string {
	c.t.Helper()
	content := map[string]any{"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
	for k, v := range extra {
		content[k] = v
	}
	return c.send(c.shell, "execute_request", content)
}

// recv waits for the next message on ch.
func (c *testClient) recv(ch chan Message, what string) Message {
	c.t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(waitLimit):
		c.t.Fatalf("no %s within %v", what, waitLimit)
		return Message{}
	}
}

// reply waits for the reply to msgID on ch, checking its type.
func (c *testClient) reply(ch chan Message, msgID, replyType string) Message {
	c.t.Helper()
	m := c.recv(ch, replyType)
	if got := parentID(m); got != msgID {
		c.t.Fatalf("%s: parent %s, want %s", m.Header.MsgType, got, msgID)
	}
	if m.Header.MsgType != replyType {
		c.t.Fatalf("got %s, want %s (content %s)", m.Header.MsgType, replyType, m.Content)
	}
	return m
}

// outputs collects the iopub messages whose parent is msgID, from its busy
// status through its idle status, and fails on any message for another
// parent in between (everything in these tests is sequential).
func (c *testClient) outputs(msgID string) []Message {
	c.t.Helper()
	var got []Message
	for {
		m := c.recv(c.iopubIn, "iopub message for "+msgID)
		if parentID(m) != msgID {
			c.t.Fatalf("iopub %s for %s while waiting for %s: %s", m.Header.MsgType, parentID(m), msgID, m.Content)
		}
		got = append(got, m)
		if m.Header.MsgType == "status" && contentField(c.t, m, "execution_state") == "idle" {
			return got
		}
	}
}

// waitReady does what jupyter_client does after connecting: send
// kernel_info_request until one is answered on both shell and iopub. A PUB
// socket drops messages until it has processed the subscription ("slow
// joiner"), so the first requests' status messages may be lost.
func (c *testClient) waitReady() {
	c.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		id := c.send(c.shell, "kernel_info_request", struct{}{})
		c.reply(c.shellIn, id, "kernel_info_reply")
		retry := time.After(200 * time.Millisecond)
	wait:
		for {
			select {
			case m := <-c.iopubIn:
				if parentID(m) == id && m.Header.MsgType == "status" &&
					contentField(c.t, m, "execution_state") == "idle" {
					return
				}
			case <-retry:
				break wait
			}
		}
	}
	c.t.Fatal("kernel never answered on iopub")
}

func parentID(m Message) string {
	var p struct {
		MsgID string `json:"msg_id"`
	}
	_ = json.Unmarshal(m.ParentHeader, &p)
	return p.MsgID
}

func contentField(t *testing.T, m Message, field string) any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		t.Fatalf("%s content: %v", m.Header.MsgType, err)
	}
	return c[field]
}

func decodeContentTo(t *testing.T, m Message, dst any) {
	t.Helper()
	if err := json.Unmarshal(m.Content, dst); err != nil {
		t.Fatalf("%s content: %v", m.Header.MsgType, err)
	}
}

func msgTypes(ms []Message) string {
	var s []string
	for _, m := range ms {
		t := m.Header.MsgType
		if t == "status" {
			var c statusContent
			_ = json.Unmarshal(m.Content, &c)
			t += ":" + c.ExecutionState
		}
		s = append(s, t)
	}
	return strings.Join(s, " ")
}

// testLogger logs to t until stop is called; the kernel may log from its
// goroutines, which must not write to a finished test.
// It also keeps the lines, for tests about the log.
type testLogger struct {
	mu      sync.Mutex
	t       *testing.T
	stopped bool
	lines   []string
}

func (l *testLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	line := strings.TrimRight(string(p), "\n")
	l.lines = append(l.lines, line)
	if !l.stopped {
		l.t.Logf("kernel: %s", clip(line, 300))
	}
	return len(p), nil
}

// matching returns the lines logged so far that contain s.
func (l *testLogger) matching(s string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

func (l *testLogger) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

// checkNoKernelGoroutines fails the test if a goroutine running code of this
// package (kernel or test client) is still alive. zmq4's own goroutines are
// not this package's to end, so they are not counted.
func checkNoKernelGoroutines(t *testing.T) {
	t.Helper()
	var leaked []string
	for range 200 {
		leaked = leaked[:0]
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		stacks := strings.Split(string(buf), "\n\n")
		for _, g := range stacks[1:] { // the first is this goroutine
			// Test goroutines (a parent test waiting for its subtest) are
			// not leaks; anything a test or the kernel started is.
			if strings.Contains(g, "gomp/kernel.") && !strings.Contains(g, "testing.tRunner(") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond) // goroutines told to end may not have yet
	}
	t.Errorf("%d goroutines of package kernel still running:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprint(string(b))
}
