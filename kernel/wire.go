package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The wire format of a Jupyter message is a ZeroMQ multipart message:
//
//	[identity ...] "<IDS|MSG>" signature header parent_header metadata content [buffer ...]
//
// The identities are the ROUTER routing prefix (empty on PUB), the signature
// is the hex HMAC of the four JSON frames that follow it, and buffers are
// extra binary frames that are not signed (jupyter_client signs exactly the
// four JSON frames, so signing more would break every client).

// delimiter separates routing identities from the message proper.
var delimiter = []byte("<IDS|MSG>")

// protocolVersion is the messaging protocol version this kernel implements and
// puts in every header it sends.
const protocolVersion = "5.3"

// Header is a message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one decoded Jupyter message.
type Message struct {
	// Identities is the ZeroMQ routing prefix of a message that came in on a
	// ROUTER socket; a reply goes back with the same identities.
	Identities [][]byte
	Header     Header
	// RawHeader is the header exactly as received. Replies and outputs use it
	// as their parent_header so that fields this kernel does not know (newer
	// protocol versions add some) reach the client unchanged.
	RawHeader    json.RawMessage
	ParentHeader json.RawMessage
	Metadata     json.RawMessage
	Content      json.RawMessage
	Buffers      [][]byte
}

// Errors of DecodeMessage. Each is wrapped with detail; test with errors.Is.
var (
	ErrNoDelimiter      = errors.New("no <IDS|MSG> delimiter")
	ErrTooFewFrames     = errors.New("too few frames after the delimiter")
	ErrMissingSignature = errors.New("message is not signed")
	ErrBadSignature     = errors.New("invalid message signature")
	ErrReplayed         = errors.New("message signature seen before (replayed message)")
	ErrBadHeader        = errors.New("invalid message header")
)

// DecodeMessage splits frames into identities and message, checks the
// signature and parses the header. It never panics; any error means the
// message must be dropped without being acted on. The other JSON frames are
// kept raw: a handler that cannot parse its content answers with an error
// reply, which it can only do once the header is known to be good.
func DecodeMessage(frames [][]byte, auth *Authenticator) (Message, error) {
	return decodeMessage(frames, auth, true)
}

// decodeMessage is DecodeMessage; with clone false, the message keeps the
// frames' memory rather than copies, for a caller that owns the frames and
// will not touch them again (a copy of a large cell costs as much again).
func decodeMessage(frames [][]byte, auth *Authenticator, clone bool) (Message, error) {
	delim := -1
	for i, f := range frames {
		if bytes.Equal(f, delimiter) {
			delim = i
			break
		}
	}
	if delim < 0 {
		return Message{}, ErrNoDelimiter
	}
	rest := frames[delim+1:]
	if len(rest) < 5 {
		return Message{}, fmt.Errorf("%w: got %d, need at least 5", ErrTooFewFrames, len(rest))
	}
	signature, signed := rest[0], rest[1:5]
	if err := auth.Verify(signature, signed); err != nil {
		return Message{}, err
	}

	keep, keepAll := bytes.Clone, cloneFrames
	if !clone {
		keep = func(b []byte) []byte { return b }
		keepAll = func(fs [][]byte) [][]byte {
			if len(fs) == 0 {
				return nil
			}
			return fs
		}
	}
	msg := Message{
		Identities:   keepAll(frames[:delim]),
		RawHeader:    json.RawMessage(keep(signed[0])),
		ParentHeader: objectOrEmpty(signed[1], keep),
		Metadata:     objectOrEmpty(signed[2], keep),
		Content:      json.RawMessage(keep(signed[3])),
		Buffers:      keepAll(rest[5:]),
	}
	if err := json.Unmarshal(signed[0], &msg.Header); err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrBadHeader, err)
	}
	if msg.Header.MsgType == "" {
		return Message{}, fmt.Errorf("%w: no msg_type", ErrBadHeader)
	}
	if msg.Header.MsgID == "" {
		return Message{}, fmt.Errorf("%w: no msg_id", ErrBadHeader)
	}
	return msg, nil
}

// EncodeMessage is the inverse of DecodeMessage: it signs msg and lays it out
// as frames. Empty ParentHeader, Metadata or Content are sent as {}.
func EncodeMessage(msg Message, auth *Authenticator) ([][]byte, error) {
	header := msg.RawHeader
	if len(header) == 0 {
		h, err := json.Marshal(msg.Header)
		if err != nil {
			return nil, fmt.Errorf("encode header: %w", err)
		}
		header = h
	}
	signed := [][]byte{
		header,
		orEmptyObject(msg.ParentHeader),
		orEmptyObject(msg.Metadata),
		orEmptyObject(msg.Content),
	}
	frames := make([][]byte, 0, len(msg.Identities)+6+len(msg.Buffers))
	frames = append(frames, msg.Identities...)
	frames = append(frames, delimiter, auth.Sign(signed))
	frames = append(frames, signed...)
	frames = append(frames, msg.Buffers...)
	return frames, nil
}

// newHeader makes the header of a message this kernel sends.
func newHeader(msgType, session string) Header {
	return Header{
		MsgID:    uuid.NewString(),
		Session:  session,
		Username: "kernel",
		Date:     isoNow(),
		MsgType:  msgType,
		Version:  protocolVersion,
	}
}

// isoNow is the current time in ISO 8601 with microseconds and a zone, the
// form jupyter_client's date parser expects.
func isoNow() string {
	return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

var emptyObject = json.RawMessage("{}")

func orEmptyObject(b json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(b)) == 0 {
		return emptyObject
	}
	return b
}

// objectOrEmpty keeps a frame that holds a JSON object and replaces anything
// else (null, garbage) by {}: these frames are informational, and a bad one
// should not cost the client its reply.
func objectOrEmpty(frame []byte, keep func([]byte) []byte) json.RawMessage {
	t := bytes.TrimSpace(frame)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return emptyObject
	}
	return json.RawMessage(keep(frame))
}

func cloneFrames(frames [][]byte) [][]byte {
	if len(frames) == 0 {
		return nil
	}
	out := make([][]byte, len(frames))
	for i, f := range frames {
		out[i] = bytes.Clone(f)
	}
	return out
}
