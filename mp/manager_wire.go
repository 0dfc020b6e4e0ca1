package mp

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// The manager's wire protocol. A connection opens with a handshake in the
// order of Python's multiprocessing.connection: the client proves it knows
// the auth key first, and the server says nothing derived from the key to a
// peer that has not (otherwise anyone could ask for proofs over nonces of
// their choosing and try a dictionary on them offline):
//
//	client → server  magic "gompmgr2"
//	server → client  'c', server nonce (32 bytes)                  a challenge
//	             or  'w', uint32 milliseconds                      this address failed lately: retry later
//	client → server  client nonce (32), HMAC-SHA256(key, "client" | server nonce | client nonce)
//	server → client  'a', HMAC-SHA256(key, "server" | client nonce | server nonce)   welcome, and its own proof
//	             or  'r'                                           refused (sent after a delay that grows with the address's failures)
//
// The two proofs carry different labels, so that one side's proof can never
// be reflected back as the other's; both nonces are in each, so that no
// proof can be replayed on another connection. The client checks the
// server's proof before it sends a request: a server that does not know
// the key learns nothing from it but one proof over its own nonce.
//
// A client of the first protocol ("gompmgr1", in which the server proved
// itself first) is answered with a short text, which it reports as a peer
// that does not speak its protocol; a client of this one meeting an older
// server sees the connection closed at its hello, and says so.
//
// Then the client sends requests and the server answers each in turn, one at
// a time per connection (a client process opens more connections to have
// more requests under way). Every message, handshake ones included, is
//
//	uint32  length of the body (big-endian)
//	body
//
// and the length is checked against a bound before anything is allocated:
// handshakeLimit before the peer has proved the key, messageLimit after.
// A request or a reply body is a managerMessage.

const (
	handshakeMagic = "gompmgr2"
	// oldHandshakeMagic is the first protocol's, recognized to answer its
	// clients with something they can show.
	oldHandshakeMagic = "gompmgr1"
	nonceSize         = 32
	handshakeLimit    = 64
	messageLimit      = 64 << 20 // as the pool's frames
	maxParts          = 1 << 20  // values in one message (a dict's items, two each); bounds the slice headers a message can make us allocate (24 MiB)
)

// managerMessage is a request (op, object, num, parts) or a reply (op is its
// status). num is the one integer an operation takes: an index, a timeout in
// nanoseconds, a count; parts are codec-encoded values (or a name).
type managerMessage struct {
	op    byte
	obj   uint64
	num   int64
	parts [][]byte
}

// appendManagerMessage encodes m: op, obj (uvarint), num (varint), the
// number of parts (uvarint), each part as a uvarint length and its bytes.
func appendManagerMessage(dst []byte, m managerMessage) []byte {
	dst = append(dst, m.op)
	dst = binary.AppendUvarint(dst, m.obj)
	dst = binary.AppendVarint(dst, m.num)
	dst = binary.AppendUvarint(dst, uint64(len(m.parts)))
	for _, p := range m.parts {
		dst = binary.AppendUvarint(dst, uint64(len(p)))
		dst = append(dst, p...)
	}
	return dst
}

var errMalformed = errors.New("malformed manager message")

// decodeManagerMessage is appendManagerMessage's inverse. It never trusts a
// count before checking the bytes are there; parts alias body.
func decodeManagerMessage(body []byte) (managerMessage, error) {
	var m managerMessage
	if len(body) < 1 {
		return m, errMalformed
	}
	m.op, body = body[0], body[1:]
	obj, n := binary.Uvarint(body)
	if n <= 0 {
		return m, errMalformed
	}
	m.obj, body = obj, body[n:]
	num, n := binary.Varint(body)
	if n <= 0 {
		return m, errMalformed
	}
	m.num, body = num, body[n:]
	count, n := binary.Uvarint(body)
	if n <= 0 {
		return m, errMalformed
	}
	body = body[n:]
	// Each part takes one byte at least (its length).
	if count > uint64(len(body)) || count > maxParts {
		return m, errMalformed
	}
	if count > 0 {
		m.parts = make([][]byte, count)
	}
	for i := range m.parts {
		size, n := binary.Uvarint(body)
		if n <= 0 || size > uint64(len(body)-n) {
			return m, errMalformed
		}
		body = body[n:]
		m.parts[i], body = body[:size:size], body[size:]
	}
	if len(body) != 0 {
		return m, errMalformed
	}
	return m, nil
}

// writeManagerBody writes one length-prefixed body in one Write.
func writeManagerBody(w io.Writer, body []byte) error {
	buf := make([]byte, 4, 4+len(body))
	binary.BigEndian.PutUint32(buf, uint32(len(body)))
	_, err := w.Write(append(buf, body...))
	return err
}

// readManagerBody reads one length-prefixed body of at most limit bytes.
func readManagerBody(r *bufio.Reader, limit int) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if uint64(n) > uint64(limit) {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", errMalformed, n, limit)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("reading a manager message: %w", io.ErrUnexpectedEOF)
	}
	return body, nil
}

func writeManagerMessage(w io.Writer, m managerMessage) error {
	return writeManagerBody(w, appendManagerMessage(make([]byte, 0, 64), m))
}

func readManagerMessage(r *bufio.Reader) (managerMessage, error) {
	body, err := readManagerBody(r, messageLimit)
	if err != nil {
		return managerMessage{}, err
	}
	return decodeManagerMessage(body)
}

// proof is one side's answer to the handshake's challenge.
func proof(key []byte, label string, first, second []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(label))
	mac.Write(first)
	mac.Write(second)
	return mac.Sum(nil)
}

func newNonce() ([]byte, error) {
	n := make([]byte, nonceSize)
	if _, err := rand.Read(n); err != nil {
		return nil, fmt.Errorf("making a nonce: %w", err)
	}
	return n, nil
}

// Handshake messages' first bytes.
const (
	hsChallenge = 'c'
	hsRetry     = 'w'
	hsWelcome   = 'a'
	hsRefused   = 'r'
)

// oldClientAnswer is what a client of the first protocol gets.
const oldClientAnswer = "gomp manager: protocol gompmgr2, update gomp"

// errRetryLater is the server's answer to an address in its backoff: the
// client may retry after the duration it carries.
type errRetryLater struct{ after time.Duration }

func (e *errRetryLater) Error() string {
	return fmt.Sprintf("the manager refuses this address for %v after failed authentications", e.after.Round(time.Millisecond))
}

// clientHandshake proves the key to the server at the other end of rw and
// checks the server's proof; a wrong key on either side is ErrAuth, an
// address the server holds back is *errRetryLater.
func clientHandshake(rw io.Writer, r *bufio.Reader, key []byte) error {
	if err := writeManagerBody(rw, []byte(handshakeMagic)); err != nil {
		return err
	}
	challenge, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("the manager closed the connection at the hello: it may be an older gomp, which speaks another protocol than %s (%w)", handshakeMagic, err)
		}
		return fmt.Errorf("reading the manager's challenge: %w", err)
	}
	switch {
	case len(challenge) == 1+4 && challenge[0] == hsRetry:
		return &errRetryLater{after: time.Duration(binary.BigEndian.Uint32(challenge[1:])) * time.Millisecond}
	case len(challenge) != 1+nonceSize || challenge[0] != hsChallenge:
		return fmt.Errorf("the peer does not speak the manager protocol %s (%w)", handshakeMagic, errMalformed)
	}
	serverNonce := challenge[1:]
	clientNonce, err := newNonce()
	if err != nil {
		return err
	}
	answer := append(clientNonce, proof(key, "client", serverNonce, clientNonce)...)
	if err := writeManagerBody(rw, answer); err != nil {
		return err
	}
	verdict, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		return fmt.Errorf("reading the manager's verdict: %w", err)
	}
	switch {
	case len(verdict) == 1 && verdict[0] == hsRefused:
		return fmt.Errorf("%w (the manager refused it)", ErrAuth)
	case len(verdict) != 1+sha256.Size || verdict[0] != hsWelcome:
		return fmt.Errorf("the peer does not speak the manager protocol %s (%w)", handshakeMagic, errMalformed)
	}
	if !hmac.Equal(verdict[1:], proof(key, "server", clientNonce, serverNonce)) {
		return fmt.Errorf("%w (the manager could not prove it knows this key)", ErrAuth)
	}
	return nil
}

// serverHandshake is clientHandshake's other side, for a peer at addr. It
// returns ErrAuth when the client does not prove the key, after the guard's
// delay and telling it so; nothing it sends before the proof depends on the
// key.
func serverHandshake(ctx context.Context, w io.Writer, r *bufio.Reader, key []byte, g *authGuard, addr string) error {
	hello, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		return err
	}
	if len(hello) == len(oldHandshakeMagic)+nonceSize && string(hello[:len(oldHandshakeMagic)]) == oldHandshakeMagic {
		writeManagerBody(w, []byte(oldClientAnswer))
		g.refused(addr, "a client of the older protocol "+oldHandshakeMagic)
		return errOldClient
	}
	if string(hello) != handshakeMagic {
		return errMalformed
	}
	if wait := g.lockedFor(addr); wait > 0 {
		msg := binary.BigEndian.AppendUint32([]byte{hsRetry}, uint32(min(wait.Milliseconds()+1, math.MaxUint32)))
		writeManagerBody(w, msg)
		return errHeldBack
	}
	serverNonce, err := newNonce()
	if err != nil {
		return err
	}
	if err := writeManagerBody(w, append([]byte{hsChallenge}, serverNonce...)); err != nil {
		return err
	}
	answer, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		return err
	}
	if len(answer) != nonceSize+sha256.Size {
		g.failed(addr, "a malformed proof")
		return errMalformed
	}
	clientNonce, clientProof := answer[:nonceSize], answer[nonceSize:]
	if !hmac.Equal(clientProof, proof(key, "client", serverNonce, clientNonce)) {
		delay := g.failed(addr, "a wrong auth key")
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
		writeManagerBody(w, []byte{hsRefused})
		return ErrAuth
	}
	g.succeeded(addr)
	return writeManagerBody(w, append([]byte{hsWelcome}, proof(key, "server", clientNonce, serverNonce)...))
}

var (
	errOldClient = errors.New("a client of the older manager protocol")
	errHeldBack  = errors.New("an address held back after failed authentications")
)
