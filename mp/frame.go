package mp

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// A frame is one message on a broker connection:
//
//	uint32  length of the rest (big-endian)
//	uint8   op
//	uint32  request id (a reply carries its request's)
//	...     payload
//
// Ids let one connection carry many requests at once: a process whose
// goroutines block in Queue.Get and Lock.Acquire together (issue 4) needs
// that.
type frame struct {
	op      byte
	id      uint32
	payload []byte
}

const (
	frameHeader = 5        // op + id
	maxFrame    = 64 << 20 // a frame longer than this is a broken peer
)

// Broker operations. Part 2 (queues, locks, managers) adds its own.
const (
	opHello   byte = iota + 1 // client → broker: the kernel's token
	opWelcome                 // broker → client: the token was right
	opError                   // broker → client: the request failed; payload is the message
	opPing                    // client → broker
	opPong                    // broker → client
)

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

func readFrame(r *bufio.Reader) (frame, error) {
	var head [4 + frameHeader]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return frame{}, err
	}
	n := binary.BigEndian.Uint32(head[:4])
	if n < frameHeader || n > maxFrame {
		return frame{}, fmt.Errorf("broken frame: length %d", n)
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
