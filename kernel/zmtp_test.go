package kernel

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// peerGreeting is a client's ZMTP greeting with the given version and
// mechanism.
func peerGreeting(major byte, mechanism string) []byte {
	g := make([]byte, greetingSize)
	g[0], g[9], g[10] = 0xff, 0x7f, major
	copy(g[12:32], mechanism)
	return g
}

func commandFrame(body []byte) []byte {
	if len(body) > 255 {
		return append(binary.BigEndian.AppendUint64([]byte{flagCommand | flagLong}, uint64(len(body))), body...)
	}
	return append([]byte{flagCommand, byte(len(body))}, body...)
}

func readyFrame(sockType string) []byte {
	return commandFrame(commandBody(cmdReady, readyProperties(sockType)))
}

// handshakeWith runs the server side of a handshake against a peer that
// sends data (and reads whatever it is sent), and returns its result. A
// handshake still waiting for the peer after a short while fails.
func handshakeWith(t *testing.T, data []byte) (*zmtpConn, error) {
	t.Helper()
	server, client := net.Pipe()
	var wg sync.WaitGroup
	wg.Go(func() { io.Copy(io.Discard, client) }) // ends when client is closed
	wg.Go(func() { client.Write(data) })          // ends when server is closed, at the latest
	_ = server.SetDeadline(time.Now().Add(200 * time.Millisecond))
	c, err := handshake(server, "ROUTER", "REQ", "DEALER", "ROUTER")
	server.Close()
	client.Close()
	wg.Wait()
	return c, err
}

func TestHandshake(t *testing.T) {
	ok := append(peerGreeting(3, "NULL"), readyFrame("DEALER")...)
	c, err := handshakeWith(t, ok)
	if err != nil {
		t.Fatalf("a DEALER's handshake: %v", err)
	}
	if c.peerType != "DEALER" || len(c.identity) != 0 {
		t.Errorf("peer %q identity %q", c.peerType, c.identity)
	}

	props := readyProperties("REQ")
	props = append(props, 8)
	props = append(props, "identity"...) // names are case-insensitive
	props = binary.BigEndian.AppendUint32(props, 3)
	props = append(props, "abc"...)
	c, err = handshakeWith(t, append(peerGreeting(3, "NULL"), commandFrame(commandBody(cmdReady, props))...))
	if err != nil || string(c.identity) != "abc" || c.peerType != "REQ" {
		t.Errorf("named REQ: %v, %+v", err, c)
	}

	hugeReady := append(peerGreeting(3, "NULL"), flagCommand|flagLong)
	hugeReady = binary.BigEndian.AppendUint64(hugeReady, 1<<40)
	truncated := commandBody(cmdReady, []byte{11, 'S', 'o', 'c', 'k'})
	for _, tc := range []struct {
		name, data, want string
	}{
		{"HTTP", "GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat(" ", 64), "not a ZMTP 3 greeting"},
		{"ZMTP 2", string(peerGreeting(2, "NULL")), "version"},
		{"CURVE", string(peerGreeting(3, "CURVE")), "mechanism"},
		{"cut short", string(peerGreeting(3, "NULL")[:20]), "greeting"},
		{"huge READY", string(hugeReady), "over the limit"},
		{"truncated metadata", string(peerGreeting(3, "NULL")) + string(commandFrame(truncated)), "metadata"},
		{"message first", string(peerGreeting(3, "NULL")) + "\x00\x01x", "before the handshake"},
		{"not READY", string(peerGreeting(3, "NULL")) + string(commandFrame(commandBody(cmdPing, nil))), "where READY"},
		{"ERROR", string(peerGreeting(3, "NULL")) + string(commandFrame(commandBody(cmdError, []byte("\x03bad")))), `"bad"`},
		{"PUB peer", string(peerGreeting(3, "NULL")) + string(readyFrame("PUB")), "cannot talk"},
		{"reserved flags", string(peerGreeting(3, "NULL")) + "\x84\x00", "reserved"},
	} {
		if _, err := handshakeWith(t, []byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}
