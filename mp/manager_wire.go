package mp

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The manager's wire protocol. A connection opens with a handshake in which
// each side proves it knows the auth key without sending it:
//
//	client → server  magic "gompmgr1", client nonce (32 bytes)
//	server → client  server nonce (32), HMAC-SHA256(key, "server" | client nonce | server nonce)
//	client → server  HMAC-SHA256(key, "client" | server nonce | client nonce)
//	server → client  one byte: 1 welcome, 0 refused
//
// The two proofs carry different labels, so that one side's proof can never
// be reflected back as the other's; both nonces are in each, so that no
// proof can be replayed on another connection.
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
	handshakeMagic = "gompmgr1"
	nonceSize      = 32
	handshakeLimit = 64
	messageLimit   = 64 << 20 // as the pool's frames
	maxParts       = 1 << 20  // values in one message (a dict's items, two each); bounds the slice headers a message can make us allocate (24 MiB)
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

// clientHandshake proves the key to the server at the other end of rw and
// checks the server's proof; a wrong key on either side is ErrAuth.
func clientHandshake(rw io.Writer, r *bufio.Reader, key []byte) error {
	clientNonce, err := newNonce()
	if err != nil {
		return err
	}
	if err := writeManagerBody(rw, append([]byte(handshakeMagic), clientNonce...)); err != nil {
		return err
	}
	challenge, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		return fmt.Errorf("reading the manager's challenge: %w", err)
	}
	if len(challenge) != nonceSize+sha256.Size {
		return fmt.Errorf("the peer does not speak the manager protocol (%w)", errMalformed)
	}
	serverNonce, serverProof := challenge[:nonceSize], challenge[nonceSize:]
	if !hmac.Equal(serverProof, proof(key, "server", clientNonce, serverNonce)) {
		return fmt.Errorf("%w (the manager could not prove it knows this key)", ErrAuth)
	}
	if err := writeManagerBody(rw, proof(key, "client", serverNonce, clientNonce)); err != nil {
		return err
	}
	verdict, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		return fmt.Errorf("reading the manager's verdict: %w", err)
	}
	if len(verdict) != 1 || verdict[0] != 1 {
		return fmt.Errorf("%w (the manager refused it)", ErrAuth)
	}
	return nil
}

// serverHandshake is clientHandshake's other side. It returns ErrAuth when
// the client does not prove the key, after telling it so.
func serverHandshake(w io.Writer, r *bufio.Reader, key []byte) error {
	hello, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		return err
	}
	if len(hello) != len(handshakeMagic)+nonceSize || string(hello[:len(handshakeMagic)]) != handshakeMagic {
		return errMalformed
	}
	clientNonce := hello[len(handshakeMagic):]
	serverNonce, err := newNonce()
	if err != nil {
		return err
	}
	if err := writeManagerBody(w, append(serverNonce, proof(key, "server", clientNonce, serverNonce)...)); err != nil {
		return err
	}
	answer, err := readManagerBody(r, handshakeLimit)
	if err != nil {
		return err
	}
	if !hmac.Equal(answer, proof(key, "client", serverNonce, clientNonce)) {
		writeManagerBody(w, []byte{0})
		return ErrAuth
	}
	return writeManagerBody(w, []byte{1})
}
