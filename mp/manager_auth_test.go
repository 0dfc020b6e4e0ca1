package mp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// impostorHandshake plays a server that does not know the key and claims
// to: it welcomes any client with a proof made with its own key.
func impostorHandshake(c net.Conn, key []byte) {
	r := bufio.NewReader(c)
	if _, err := readManagerBody(r, handshakeLimit); err != nil {
		return
	}
	serverNonce, _ := newNonce()
	writeManagerBody(c, append([]byte{hsChallenge}, serverNonce...))
	answer, err := readManagerBody(r, handshakeLimit)
	if err != nil || len(answer) < nonceSize {
		return
	}
	writeManagerBody(c, append([]byte{hsWelcome}, proof(key, "server", answer[:nonceSize], serverNonce)...))
}

// rawAttempt is a client that tries key by hand on a real TCP connection
// and returns every byte the server sent, up to its end; served says
// whether the server gave a challenge (it checked a proof).
func rawAttempt(t *testing.T, addr string, key []byte) (sent []byte, served bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute)) // a hung server fails the test, not the suite
	var got bytes.Buffer
	r := bufio.NewReader(io.TeeReader(conn, &got))
	writeManagerBody(conn, []byte(handshakeMagic))
	challenge, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		t.Fatalf("reading the challenge: %v", err)
	}
	if challenge[0] == hsChallenge {
		served = true
		clientNonce, _ := newNonce()
		serverNonce := challenge[1:]
		writeManagerBody(conn, append(clientNonce, proof(key, "client", serverNonce, clientNonce)...))
	}
	io.Copy(io.Discard, r) // to the server's close
	return got.Bytes(), served
}

// A wrong key gets a challenge (a fresh nonce) and a refusal: nothing the
// client could test a guess against offline.
func TestManagerRevealsNothingBeforeTheProof(t *testing.T) {
	m := NewManager(Address("127.0.0.1:0"), AuthKey("secreto"))
	defer m.Shutdown()
	m.server.guard.setLog(func(string, ...any) {})

	sent, served := rawAttempt(t, m.Address(), []byte("secret0"))
	if !served {
		t.Fatalf("the first attempt was not given a challenge: %x", sent)
	}
	// Exactly: a challenge of 'c' and 32 random bytes, then 'r', then the end.
	if len(sent) != 4+1+nonceSize+4+1 {
		t.Fatalf("the server sent %d bytes to a peer without the key: %x", len(sent), sent)
	}
	if !bytes.Equal(sent[:5], []byte{0, 0, 0, 1 + nonceSize, hsChallenge}) || !bytes.Equal(sent[5+nonceSize:], []byte{0, 0, 0, 1, hsRefused}) {
		t.Fatalf("the server sent %x", sent)
	}
	// The nonce is the server's own, not a proof over the client's words.
	nonce := sent[5 : 5+nonceSize]
	for _, label := range []string{"server", "client"} {
		p := proof([]byte("secreto"), label, nonce, nil)
		if bytes.Contains(sent, p[:8]) {
			t.Errorf("the server's bytes contain an HMAC of the key (%s)", label)
		}
	}
	m.server.guard.succeeded("127.0.0.1") // the next nonce without waiting
	again, _ := rawAttempt(t, m.Address(), []byte("secret0"))
	if bytes.Equal(again[5:5+nonceSize], nonce) {
		t.Error("two connections got the same nonce")
	}

	// The right key: the server proves itself after the client.
	c, err := ConnectManager(m.Address(), "secreto")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	c.Dict("d").Set("k", 1)
	if got := m.Dict("d").Get("k"); got != 1 {
		t.Errorf("d[k] = %v", got)
	}
}

// A loop of wrong keys from one address is mostly turned away unchecked:
// each failure doubles the time its address is held back, so in a tight
// loop of tries only a logarithmic few get a challenge. The failures are
// logged, a line a second at most.
func TestManagerHoldsBackBruteForce(t *testing.T) {
	m := NewManager(Address("127.0.0.1:0"), AuthKey("secreto"))
	defer m.Shutdown()
	var (
		mu    sync.Mutex
		lines []string
	)
	m.server.guard.setLog(func(format string, args ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(format, args...))
		mu.Unlock()
	})
	// A millisecond's backoff, doubling: for 30 served tries in the loop
	// below it would have to take 2^29 ms (six days).
	m.server.guard.setBackoff(time.Millisecond, time.Hour)

	const tries = 300
	served, heldBack := 0, 0
	for i := range tries {
		sent, ok := rawAttempt(t, m.Address(), fmt.Appendf(nil, "guess-%d", i))
		switch {
		case ok:
			served++
		case len(sent) == 4+5 && sent[4] == hsRetry:
			heldBack++
		default:
			t.Fatalf("try %d: the server sent %x", i, sent)
		}
	}
	t.Logf("%d tries: %d checked, %d held back", tries, served, heldBack)
	if served < 2 || served >= 30 || served+heldBack != tries {
		t.Errorf("%d tries: %d checked, %d held back", tries, served, heldBack)
	}
	mu.Lock()
	logged := strings.Join(lines, "\n")
	n := len(lines)
	mu.Unlock()
	if !strings.Contains(logged, "refused 127.0.0.1: a wrong auth key") {
		t.Errorf("the failures were not logged: %q", logged)
	}
	if n > served {
		t.Errorf("%d log lines for %d failures", n, served)
	}

	// The right key still gets in: the client waits out the hold.
	c, err := ConnectManager(m.Address(), "secreto")
	if err != nil {
		t.Fatal(err)
	}
	c.Shutdown()
}

// The log says how many lines it left out, one line a second at most.
func TestAuthGuardLogIsRateLimited(t *testing.T) {
	g := newAuthGuard()
	var lines []string
	g.setLog(func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) })
	start := time.Now()
	for range 1000 {
		g.failed("192.0.2.1", "a wrong auth key")
	}
	seconds := int(time.Since(start)/time.Second) + 1
	if len(lines) == 0 || len(lines) > seconds {
		t.Fatalf("%d lines in %d s: %q", len(lines), seconds, lines)
	}
	g.lastLog = time.Time{}
	g.failed("192.0.2.1", "a wrong auth key")
	if last := lines[len(lines)-1]; !strings.Contains(last, "more since the last report") || !strings.Contains(last, "failure 1001 in a row") {
		t.Errorf("the report after the silence: %q", last)
	}
}

// No more than maxUnauthenticated connections may be in their handshake at
// once: the next is closed without a challenge, and a slot freed lets one
// in again.
func TestManagerBoundsUnauthenticatedConnections(t *testing.T) {
	m := NewManager(Address("127.0.0.1:0"), AuthKey("secreto"))
	defer m.Shutdown()
	m.server.guard.setLog(func(string, ...any) {})
	hello := func() (net.Conn, []byte, error) {
		conn, err := net.Dial("tcp", m.Address())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(time.Minute))
		writeManagerBody(conn, []byte(handshakeMagic))
		body, err := readManagerBody(bufio.NewReader(conn), handshakeLimit)
		return conn, body, err
	}
	var waiting []net.Conn
	defer func() {
		for _, c := range waiting {
			c.Close()
		}
	}()
	for range maxUnauthenticated {
		conn, body, err := hello()
		if err != nil || body[0] != hsChallenge {
			t.Fatalf("connection %d: %x %v", len(waiting), body, err)
		}
		waiting = append(waiting, conn) // holds its slot: never answers
	}
	conn, body, err := hello()
	conn.Close()
	// Closed unread: an end, or a reset since the hello was unread.
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("connection %d beyond the bound: %x %v", maxUnauthenticated+1, body, err)
	}
	waiting[0].Close()
	waiting = waiting[1:]
	for try := 0; ; try++ { // the server sees the close when it reads
		conn, body, err := hello()
		if err == nil && body[0] == hsChallenge {
			waiting = append(waiting, conn)
			break
		}
		conn.Close()
		if try == 1000 {
			t.Fatal("no slot came free")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A client of the first protocol is told to update; a client of this one
// that meets a server of the first is told what it may be.
func TestManagerProtocolVersions(t *testing.T) {
	m := NewManager(Address("127.0.0.1:0"), AuthKey("secreto"))
	defer m.Shutdown()
	m.server.guard.setLog(func(string, ...any) {})
	conn, err := net.Dial("tcp", m.Address())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	writeManagerBody(conn, append([]byte(oldHandshakeMagic), make([]byte, nonceSize)...))
	body, err := readManagerBody(bufio.NewReader(conn), 64) // the first protocol's limit
	if err != nil || string(body) != oldClientAnswer {
		t.Fatalf("an old client got %q, %v", body, err)
	}

	old, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	done := make(chan struct{})
	go func() { // a server of the first protocol: a hello of another size is malformed
		defer close(done)
		c, err := old.Accept()
		if err != nil {
			return
		}
		readManagerBody(bufio.NewReader(c), handshakeLimit)
		c.Close()
	}()
	_, err = ConnectManager(old.Addr().String(), "secreto")
	<-done
	if err == nil || !strings.Contains(err.Error(), "older gomp") {
		t.Fatalf("meeting an old server: %v", err)
	}
}
