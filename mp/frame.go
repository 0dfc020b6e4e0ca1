package mp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A frame is one message on a pool's channel to a worker (poolwire.go):
//
//	uint32  length of the rest (big-endian)
//	uint8   op
//	uint32  id (a task's chunk; a reply carries its request's)
//	...     payload
type frame struct {
	op      byte
	id      uint32
	payload []byte
}

const (
	frameHeader = 5        // op + id
	maxFrame    = 64 << 20 // a frame longer than this is a broken peer
	maxPayload  = maxFrame - frameHeader
)

// sizeOf says n bytes for a message: "64 MB", "812 kB".
func sizeOf(n int) string {
	if n >= 10<<20 {
		return fmt.Sprintf("%d MB", (n+1<<20-1)>>20)
	}
	return fmt.Sprintf("%d kB", (n+1023)>>10)
}

// writeFrame writes f in one Write, so that frames written under one lock
// never interleave.
func writeFrame(w io.Writer, f frame) error {
	buf := make([]byte, 4+frameHeader+len(f.payload))
	binary.BigEndian.PutUint32(buf, uint32(frameHeader+len(f.payload)))
	buf[4] = f.op
	binary.BigEndian.PutUint32(buf[5:], f.id)
	copy(buf[9:], f.payload)
	_, err := w.Write(buf)
	return err
}

// errBrokenFrame: the peer sent a frame no peer sends (not one cut short
// by its end).
var errBrokenFrame = errors.New("broken frame")

func readFrame(r *bufio.Reader) (frame, error) {
	var head [4 + frameHeader]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return frame{}, err
	}
	n := binary.BigEndian.Uint32(head[:4])
	if n < frameHeader || n > maxFrame {
		return frame{}, fmt.Errorf("%w: length %d", errBrokenFrame, n)
	}
	f := frame{op: head[4], id: binary.BigEndian.Uint32(head[5:])}
	if n > frameHeader {
		f.payload = make([]byte, n-frameHeader)
		if _, err := io.ReadFull(r, f.payload); err != nil {
			return frame{}, fmt.Errorf("reading a frame: %w", io.ErrUnexpectedEOF)
		}
	}
	return f, nil
}
