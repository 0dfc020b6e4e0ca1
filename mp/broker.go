package mp

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// The broker lives in the kernel and holds the objects processes share
// (queues, locks, managers: issue 4). Processes reach it over a Unix socket
// in a private directory (mode 0700), and each connection must first show
// the kernel's token, which children receive on their bootstrap channel
// (never in argv or the environment): only processes of this kernel get in.

// brokerAddress is how a process finds and enters its kernel's broker.
type brokerAddress struct {
	Path  string
	Token string
	Shm   string // the directory of the kernel's shared memory (package shm)
}

type broker struct {
	addr brokerAddress
	dir  string
	ln   *net.UnixListener

	mu     sync.Mutex
	conns  map[*net.UnixConn]struct{}
	closed bool
	wg     sync.WaitGroup // the accept loop and one goroutine per connection
}

// startBroker makes the broker's directory, socket and token and starts
// accepting connections.
func startBroker() (*broker, error) {
	removeStaleBrokerDirs()
	dir, err := os.MkdirTemp("", brokerDirPrefix+strconv.Itoa(os.Getpid())+"-") // mode 0700
	if err != nil {
		return nil, fmt.Errorf("making the broker's directory: %w", err)
	}
	path := filepath.Join(dir, "broker.sock")
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("making the broker's token: %w", err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting the broker: %w", err)
	}
	b := &broker{
		addr:  brokerAddress{Path: path, Token: hex.EncodeToString(token)},
		dir:   dir,
		ln:    ln,
		conns: map[*net.UnixConn]struct{}{},
	}
	b.wg.Add(1)
	go b.accept()
	return b, nil
}

// brokerDirPrefix starts the name of a broker's directory, which goes on
// with the kernel's pid: gomp-mp-<pid>-<random>.
const brokerDirPrefix = "gomp-mp-"

// removeStaleBrokerDirs removes the directories of brokers whose kernel is
// dead: a kernel that was killed could not remove its own.
func removeStaleBrokerDirs() {
	tmp := os.TempDir()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), brokerDirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if st, ok := info.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
			continue // another user's
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(filepath.Join(tmp, e.Name()))
		}
	}
}

// accept runs until the listener is closed.
func (b *broker) accept() {
	defer b.wg.Done()
	for {
		c, err := b.ln.AcceptUnix()
		if err != nil {
			return // closed (a transient error would spin: the broker is local and small)
		}
		if !b.track(c) {
			c.Close()
			return
		}
		b.wg.Add(1)
		go b.serve(c)
	}
}

func (b *broker) track(c *net.UnixConn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.conns[c] = struct{}{}
	return true
}

// serve answers one connection until it closes: first the token, then
// requests in order.
func (b *broker) serve(c *net.UnixConn) {
	defer b.wg.Done()
	defer func() {
		b.mu.Lock()
		delete(b.conns, c)
		b.mu.Unlock()
		c.Close()
	}()
	r := bufio.NewReader(c)
	if err := b.admit(c, r); err != nil {
		return
	}
	for {
		req, err := readFrame(r)
		if err != nil {
			return
		}
		reply := b.handle(req)
		reply.id = req.id
		if err := writeFrame(c, reply); err != nil {
			return
		}
	}
}

var errWrongToken = errors.New("wrong broker token")

// admit checks that the peer runs as this user and knows the token.
func (b *broker) admit(c *net.UnixConn, r *bufio.Reader) error {
	if err := checkPeerUser(c); err != nil {
		return err
	}
	hello, err := readFrame(r)
	if err != nil {
		return err
	}
	if hello.op != opHello || subtle.ConstantTimeCompare(hello.payload, []byte(b.addr.Token)) != 1 {
		return errWrongToken
	}
	return writeFrame(c, frame{op: opWelcome, id: hello.id})
}

// checkPeerUser refuses a peer of another user (the directory's mode
// already should).
func checkPeerUser(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return credErr
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("broker: refused a process of uid %d", cred.Uid)
	}
	return nil
}

// handle answers one request. (Issue 4 adds queue, lock and manager
// operations here; the ones that block will be answered from their own
// goroutines, which the request ids allow.)
func (b *broker) handle(req frame) frame {
	switch req.op {
	case opPing:
		return frame{op: opPong, payload: req.payload}
	default:
		return frame{op: opError, payload: fmt.Appendf(nil, "unknown broker operation %d", req.op)}
	}
}

// close stops accepting, closes every connection, waits for their
// goroutines and removes the directory.
func (b *broker) close() {
	b.mu.Lock()
	b.closed = true
	b.ln.Close()
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
	os.RemoveAll(b.dir)
}
