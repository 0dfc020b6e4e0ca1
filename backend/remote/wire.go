package remote

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"gomp/backend"
)

// The wire: each frame is a 4-byte big-endian length followed by that many
// bytes of JSON, one frame object. JSON because the seam's values are
// already JSON-shaped (MIME bundles, payloads and user expressions are
// map[string]any that the kernel sends as JSON anyway) and gob cannot carry
// an `any` it was not told about.

// MaxFrame bounds a frame's body. The kernel rejects a larger frame from
// the session as a broken session (it never allocates for it); the session
// splits streams into chunks far below it and reports a larger display or
// result as an error instead of sending it.
const MaxFrame = 64 << 20

// streamChunk is the most text one stream frame carries.
const streamChunk = 1 << 20

// Frame operations. Requests go from the kernel to the session, replies
// and outputs the other way; ID pairs a reply with its request, Cell names
// the execute whose Output an output frame belongs to.
const (
	// kernel → session
	opStart      = "start" // the first frame: Replay, the log to start from
	opExecute    = "execute"
	opInterrupt  = "interrupt" // Cell: the execute to cancel
	opComplete   = "complete"
	opInspect    = "inspect"
	opIsComplete = "is_complete"
	opInputReply = "input_reply" // ID: the input request answered
	opClose      = "close"

	// session → kernel
	opHello        = "hello" // the first frame: the session is up (Info)
	opResult       = "result"
	opCompletion   = "completion"
	opInspection   = "inspection"
	opCompleteness = "completeness"
	opStream       = "stream"
	opDisplay      = "display"
	opClear        = "clear"
	opInput        = "input"        // ID: a new input request, Cell: whose
	opInputCancel  = "input_cancel" // ID: the session stopped waiting
	opClosed       = "closed"
	opReplay       = "replay" // Replay: the log a new session would start from; Error: why there is none
)

// Input errors as they cross the wire.
const (
	inputNoStdin   = "no_stdin"
	inputCancelled = "cancelled"
)

// frame is every message of the wire; each op uses the fields it needs.
type frame struct {
	Op   string `json:"op"`
	ID   uint64 `json:"id,omitempty"`
	Cell uint64 `json:"cell,omitempty"`

	Execute      *backend.ExecuteRequest `json:"execute,omitempty"`
	Result       *backend.ExecuteResult  `json:"result,omitempty"`
	Code         string                  `json:"code,omitempty"`
	Cursor       int                     `json:"cursor,omitempty"`
	Detail       int                     `json:"detail,omitempty"`
	Completion   *backend.Completion     `json:"completion,omitempty"`
	Inspection   *backend.Inspection     `json:"inspection,omitempty"`
	Completeness *backend.Completeness   `json:"completeness,omitempty"`
	Info         *backend.LanguageInfo   `json:"info,omitempty"`
	Replay       []byte                  `json:"replay,omitempty"` // opaque to the kernel

	Name     string           `json:"name,omitempty"` // stream name
	Text     string           `json:"text,omitempty"` // stream text, input answer
	Display  *backend.Display `json:"display,omitempty"`
	Wait     bool             `json:"wait,omitempty"` // clear_output
	Prompt   string           `json:"prompt,omitempty"`
	Password bool             `json:"password,omitempty"`
	Error    string           `json:"error,omitempty"` // input: inputNoStdin, inputCancelled or a message; hello, replay: what went wrong
}

// errUnsendable is the error of a value that cannot become a frame: JSON
// has no NaN, for one, and no frame is larger than MaxFrame. The sender
// sends something that says so instead.
var errUnsendable = errors.New("cannot be sent to the kernel")

// errFrameTooLarge is the error of a frame over MaxFrame.
var errFrameTooLarge = fmt.Errorf("frame larger than the limit (%w)", errUnsendable)

// conn is one end of the wire. Writes from any goroutine are whole frames;
// reads come from one goroutine.
type conn struct {
	c       net.Conn
	wmu     sync.Mutex
	timeout time.Duration // per write; 0 for none
}

func newConn(c net.Conn, writeTimeout time.Duration) *conn {
	return &conn{c: c, timeout: writeTimeout}
}

// encode marshals f into a frame, or fails if it exceeds MaxFrame.
func encode(f *frame) ([]byte, error) {
	body, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encoding a %s frame: %w: %w", f.Op, errUnsendable, err)
	}
	if len(body) > MaxFrame {
		return nil, fmt.Errorf("%s frame of %d bytes: %w (%d)", f.Op, len(body), errFrameTooLarge, MaxFrame)
	}
	buf := make([]byte, 4+len(body))
	binary.BigEndian.PutUint32(buf, uint32(len(body)))
	copy(buf[4:], body)
	return buf, nil
}

// send writes one frame.
func (c *conn) send(f *frame) error {
	buf, err := encode(f)
	if err != nil {
		return err
	}
	return c.write(buf)
}

func (c *conn) write(buf []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.timeout > 0 {
		c.c.SetWriteDeadline(time.Now().Add(c.timeout))
	}
	if _, err := c.c.Write(buf); err != nil {
		return fmt.Errorf("writing to the session channel: %w", err)
	}
	return nil
}

// receive reads the next frame. io.EOF means the other end closed cleanly
// between frames; any other error means the channel is unusable.
func (c *conn) receive() (*frame, error) { return readFrame(c.c) }

// readFrame reads one frame from r. The body is read as it arrives rather
// than allocated from the header, so a header claiming a large frame holds
// no more memory than the bytes that actually came.
func readFrame(r io.Reader) (*frame, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("reading a frame header: %w", err)
		}
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxFrame {
		return nil, fmt.Errorf("a frame of %d bytes: %w (%d)", n, errFrameTooLarge, MaxFrame)
	}
	var body bytes.Buffer
	body.Grow(int(min(n, 64<<10)))
	if _, err := io.CopyN(&body, r, int64(n)); err != nil {
		return nil, fmt.Errorf("reading a frame of %d bytes: %w", n, noEOF(err))
	}
	return decode(body.Bytes())
}

// decode parses a frame body.
func decode(body []byte) (*frame, error) {
	f := new(frame)
	if err := json.Unmarshal(body, f); err != nil {
		return nil, fmt.Errorf("a malformed frame: %w", err)
	}
	if f.Op == "" {
		return nil, errors.New("a malformed frame: no op")
	}
	return f, nil
}

// noEOF turns an EOF inside a frame into ErrUnexpectedEOF: only an EOF
// between frames is clean.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (c *conn) close() error { return c.c.Close() }

// isEOF tells a clean end of the channel.
func isEOF(err error) bool { return errors.Is(err, io.EOF) }
