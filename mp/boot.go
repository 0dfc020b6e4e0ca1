package mp

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// The bootstrap channel is a socket pair between a parent and one child
// (the child's fd 3). The parent sends a session (the declarations the child
// compiles, sent ahead of time to a warm child) and at Start a startOrder.
// The messages back are a ready report after each session the child has
// compiled (so that the warm pool builds one child at a time), and the
// child's exit code, sent as its last act: a Go process with an
// interpreter's heap takes a millisecond or more to be torn down after it
// calls exit, and Join need not wait for that (the reaper still does). A
// child that dies without a word is reaped and its wait status says how it
// ended.

// bootMessage is one message on the bootstrap channel.
type bootMessage struct {
	Session *sessionSource // rebuild the interpreter from this
	Start   *startOrder    // become this process and run the target
}

// sessionSource is the part of a Snapshot a child rebuilds its
// interpreter from, opaque to mp.
type sessionSource struct {
	Session []byte
}

func newSessionSource(s *Snapshot) *sessionSource {
	return &sessionSource{Session: s.Session}
}

// digest identifies the session, so that a warm child is sent one only
// when it differs from the one it has (equal bytes, equal session).
func (s *sessionSource) digest() [sha256.Size]byte { return sha256.Sum256(s.Session) }

// snapshot is the Snapshot a child rebuilds its session from; its globals
// come later, with the start order.
func (s *sessionSource) snapshot() *Snapshot { return &Snapshot{Session: s.Session} }

// startOrder is everything a child needs at Start besides the session.
type startOrder struct {
	Name        string // the Process's Name
	Identity    []int  // Python's _identity: [2] is "Process-2", [2 1] "Process-2:1"
	Daemon      bool
	ParentName  string
	ParentPid   int
	Shm         string     // the directory of the kernel's shared memory (package shm)
	GlobalNames []string   // the global variables in Globals, in order
	Globals     []byte     // their values, one codec message (pointers shared between them stay shared)
	Func        string     // Target.Func
	Recv        []byte     // Target.Recv, one codec message; nil for a function
	Args        []byte     // the arguments, one codec message
	Pool        *poolStart // set for a Pool's worker, which serves tasks instead of running Func
}

// bootSender is the parent's end of a bootstrap channel.
type bootSender struct {
	mu   sync.Mutex // one message at a time
	file *os.File   // non-blocking, so that writes take deadlines
	enc  *gob.Encoder
	sent [sha256.Size]byte // digest of the session the child has
	has  bool

	sessions int           // sessions sent (guarded by mu)
	readies  atomic.Int64  // ready reports received
	built    chan struct{} // a token per ready report (at most one waiting)
}

func newBootSender(f *os.File) *bootSender {
	return &bootSender{file: f, enc: gob.NewEncoder(f), built: make(chan struct{}, 1)}
}

// hasSession reports whether the child was sent the session digest.
func (b *bootSender) hasSession(digest [sha256.Size]byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.has && b.sent == digest
}

// builtSession reports whether the child has compiled the session digest:
// it was the last one sent, and the child reported every session ready.
// (While a send is under way, mu is held and the answer is no.)
func (b *bootSender) builtSession(digest [sha256.Size]byte) bool {
	if !b.mu.TryLock() {
		return false
	}
	defer b.mu.Unlock()
	return b.has && b.sent == digest && b.readies.Load() >= int64(b.sessions)
}

// sendSession sends the session unless the child has it already.
func (b *bootSender) sendSession(ctx context.Context, s *sessionSource, digest [sha256.Size]byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.has && b.sent == digest {
		return nil
	}
	b.sessions++ // before the send: its ready report may come back at once
	if err := b.send(ctx, bootMessage{Session: s}); err != nil {
		return fmt.Errorf("sending the session to the child: %w", err)
	}
	b.sent, b.has = digest, true
	return nil
}

// sendStart sends the start order. The channel stays open: the child
// reports its exit code on it (see exitReport).
func (b *bootSender) sendStart(ctx context.Context, o *startOrder) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.send(ctx, bootMessage{Start: o}); err != nil {
		return fmt.Errorf("sending the start order to the child: %w", err)
	}
	return nil
}

// send writes one message. A child normally reads at once; a write that
// blocks (the child is still compiling a large session) gives up when ctx
// is cancelled, which is how an interrupt reaches it.
func (b *bootSender) send(ctx context.Context, m bootMessage) error {
	stop := context.AfterFunc(ctx, func() { b.file.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	return b.enc.Encode(m)
}

// close closes the channel; a send blocked on it returns an error. (It
// does not take mu: a blocked send holds it.)
func (b *bootSender) close() { b.file.Close() }

// bootReceiver is the child's end of the bootstrap channel.
type bootReceiver struct {
	in  *bufio.Reader
	dec *gob.Decoder
}

func newBootReceiver(r io.Reader) *bootReceiver {
	in := bufio.NewReader(r)
	return &bootReceiver{in: in, dec: gob.NewDecoder(in)}
}

func (b *bootReceiver) receive() (bootMessage, error) {
	var m bootMessage
	err := b.dec.Decode(&m)
	return m, err
}

// pending reports whether the next message has (at least partly) arrived,
// so that a child does not spend time tidying memory when its start order
// is already waiting.
func (b *bootReceiver) pending() bool { return b.in.Buffered() > 0 }

// exitReport is the child's last message: exitReportMagic, then its exit
// code as a little-endian int32. A ready report is readyReportMagic and
// four zero bytes.
const (
	exitReportMagic  = 0xE5
	readyReportMagic = 0xE6
	exitReportSize   = 5
)

var readyReport = []byte{readyReportMagic, 0, 0, 0, 0}

func encodeExitReport(code int) []byte {
	b := make([]byte, exitReportSize)
	b[0] = exitReportMagic
	binary.LittleEndian.PutUint32(b[1:], uint32(int32(code)))
	return b
}

// receiveExitReport waits for the child's exit report; false when the
// channel ends without one (the child was killed, crashed, or called the
// real os.Exit).
func (b *bootSender) receiveExitReport() (ExitCode, bool) {
	var r [exitReportSize]byte
	for {
		if _, err := io.ReadFull(b.file, r[:]); err != nil {
			return 0, false
		}
		if r[0] != readyReportMagic {
			break
		}
		b.readies.Add(1)
		select {
		case b.built <- struct{}{}:
		default:
		}
	}
	if r[0] != exitReportMagic {
		return 0, false
	}
	return ExitCode(int32(binary.LittleEndian.Uint32(r[1:]))), true
}
