package mp

import (
	"encoding/binary"
	"errors"
	"time"
)

// The messages of the pool channel are frames (frame.go) of these ops.
// Tasks go in chunks: a chunk is a run of consecutive items of one call
// (Map's items, Starmap's argument lists, Apply's one call), sent as one
// frame whose arguments are one codec message, and answered by one frame
// of results, so a chunk costs one write each way, not one per item.
//
//	poolOpFunc   parent → worker  id = function number; payload: name, receiver (codec message, may be empty)
//	poolOpTask   parent → worker  id = chunk number; payload: function number, item count, form, arguments (codec message)
//	poolOpResult worker → parent  id = chunk number; payload: run time, start (wall clock), failures, result form, results (codec message)
//	poolOpInit   worker → parent  the initializer failed; payload: one failure
//
// A worker runs the chunks it is sent in order, and exits when its
// channel ends (Close) or after MaxTasksPerChild chunks.
const (
	poolOpFunc   byte = 'F'
	poolOpTask   byte = 'T'
	poolOpResult byte = 'R'
	poolOpInit   byte = 'I'
)

// The forms of a chunk's arguments: Map's (one slice, an argument per
// item), Starmap's (one slice, a list of arguments per item) or Apply's
// (the arguments of its one call).
const (
	formMap byte = iota + 1
	formStar
	formArgs
)

// The forms of a chunk's results: none (the function returns nothing),
// or one slice with a result per item (the zero value where an item
// failed).
const (
	resultsNone byte = iota
	resultsSlice
)

// failKind is how a task failed, as the worker reports it.
type failKind byte

const (
	failPanic failKind = iota + 1 // the function panicked
	failError                     // it returned a non-nil error as its last result
	failExit                      // it called os.Exit: the worker exits
	failSetup                     // its function, arguments or results could not be found or copied
)

// taskFailure is one failed item of a chunk.
type taskFailure struct {
	Index     int // within the chunk
	Kind      failKind
	Message   string
	Traceback []string
}

// taskOrder is a decoded poolOpTask.
type taskOrder struct {
	fn    uint32
	count int
	form  byte
	args  []byte
}

func appendTaskPayload(b []byte, fn uint32, count int, form byte, args []byte) []byte {
	b = binary.AppendUvarint(b, uint64(fn))
	b = binary.AppendUvarint(b, uint64(count))
	b = append(b, form)
	return append(b, args...)
}

func parseTask(p []byte) (taskOrder, error) {
	r := wireReader{b: p}
	t := taskOrder{fn: uint32(r.uvarint()), count: int(r.uvarint()), form: r.byte()}
	t.args = r.rest()
	return t, r.err
}

// chunkResult is a decoded poolOpResult.
type chunkResult struct {
	ran      time.Duration // how long the worker spent on the chunk
	began    int64         // when it began it: Unix nanoseconds, for Timelines
	failures []taskFailure
	form     byte
	results  []byte
}

func appendResultPayload(b []byte, r chunkResult) []byte {
	b = binary.AppendUvarint(b, uint64(r.ran))
	b = binary.AppendUvarint(b, uint64(r.began))
	b = binary.AppendUvarint(b, uint64(len(r.failures)))
	for _, f := range r.failures {
		b = appendFailure(b, f)
	}
	b = append(b, r.form)
	return append(b, r.results...)
}

func parseResult(p []byte) (chunkResult, error) {
	r := wireReader{b: p}
	c := chunkResult{ran: time.Duration(r.uvarint()), began: int64(r.uvarint())}
	n := r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		c.failures = append(c.failures, r.failure())
	}
	c.form = r.byte()
	c.results = r.rest()
	return c, r.err
}

func appendFailure(b []byte, f taskFailure) []byte {
	b = binary.AppendUvarint(b, uint64(f.Index))
	b = append(b, byte(f.Kind))
	b = appendWireString(b, f.Message)
	b = binary.AppendUvarint(b, uint64(len(f.Traceback)))
	for _, l := range f.Traceback {
		b = appendWireString(b, l)
	}
	return b
}

func appendFuncPayload(b []byte, name string, recv []byte) []byte {
	return append(appendWireString(b, name), recv...)
}

func parseFunc(p []byte) (name string, recv []byte, err error) {
	r := wireReader{b: p}
	name = r.string()
	recv = r.rest()
	return name, recv, r.err
}

func appendWireString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendFrame appends f as writeFrame writes it, so that many frames go
// out in one write.
func appendFrame(b []byte, op byte, id uint32, payload []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(frameHeader+len(payload)))
	b = append(b, op)
	b = binary.BigEndian.AppendUint32(b, id)
	return append(b, payload...)
}

var errShortPayload = errors.New("mp: a pool message ended early")

// wireReader reads a payload; the first error sticks.
type wireReader struct {
	b   []byte
	err error
}

func (r *wireReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShortPayload
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *wireReader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errShortPayload
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *wireReader) string() string {
	n := r.uvarint()
	if r.err != nil || uint64(len(r.b)) < n {
		r.err = errShortPayload
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *wireReader) failure() taskFailure {
	f := taskFailure{Index: int(r.uvarint()), Kind: failKind(r.byte()), Message: r.string()}
	n := r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		f.Traceback = append(f.Traceback, r.string())
	}
	return f
}

func (r *wireReader) rest() []byte {
	b := r.b
	r.b = nil
	return b
}
