package mp

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"gomp/mp/shm"
)

// The manager's server: the objects, and the goroutines that serve them.
// Python starts a server process for a Manager; here the process that made
// the Manager serves from its own goroutines: one accepting per listener and
// two per connection (one reads requests, one answers them), all owned by
// the managerServer and ended by its close.

// managedKind is what a managed object is; it names its proxy's shared kind.
type managedKind byte

const (
	dictObject managedKind = iota + 1
	listObject
	namespaceObject
	queueObject
	lockObject
	valueObject
	managerObject // not an object: a Manager itself, as it crosses to another process
)

func (k managedKind) String() string {
	switch k {
	case dictObject:
		return "dict"
	case listObject:
		return "list"
	case namespaceObject:
		return "namespace"
	case queueObject:
		return "queue"
	case lockObject:
		return "lock"
	case valueObject:
		return "value"
	case managerObject:
		return "manager"
	}
	return "kind " + strconv.Itoa(int(k))
}

// Requests' ops.
const (
	mopCreate      byte = iota + 1 // num: kind; parts: name, [initial value]; reply num: object id
	mopLen                         // reply num: length (dict, namespace, list, queue)
	mopDictGet                     // parts: key; reply: value, or statusMissing
	mopDictSet                     // parts: key, value
	mopDictDelete                  // parts: key; reply num: 1 if it was there
	mopDictKeys                    // reply parts: keys in insertion order
	mopDictItems                   // reply parts: key, value, key, value...
	mopListAppend                  // parts: value
	mopListGet                     // num: index (negative from the end); reply: value
	mopListSet                     // num: index; parts: value
	mopListItems                   // reply parts: values
	mopQueuePut                    // parts: value
	mopQueueGet                    // num: timeout in ns, negative: none; reply: value, or statusEmpty
	mopLockAcquire                 // num: timeout in ns, negative: none; reply num: 1 if acquired
	mopLockRelease                 //
	mopValueGet                    // reply: value
	mopValueSet                    // parts: value
)

// Replies' statuses (a reply's op).
const (
	statusOK      byte = iota
	statusError        // parts: the message
	statusMissing      // a dict has no such key
	statusEmpty        // a queue's Get found nothing in time
)

type managedDict struct {
	mu      sync.Mutex
	entries map[string]*dictEntry // by the key's encoding
	seq     uint64
}

type dictEntry struct {
	key, val []byte
	seq      uint64 // insertion order, as Python's dicts keep it
}

type managedList struct {
	mu    sync.Mutex
	items [][]byte
}

type managedQueue struct {
	mu      sync.Mutex
	items   [][]byte
	changed chan struct{} // closed and replaced at each Put
}

// managedLock is held by a connection: the server releases it when that
// connection ends, so that a process that died holding it does not block
// the others forever.
type managedLock struct {
	token  chan struct{} // holds one token while the lock is free
	mu     sync.Mutex
	holder *serverConn
}

type managedValue struct {
	mu  sync.Mutex
	val []byte
}

type managedObject struct {
	kind managedKind
	obj  any // one of the managed* above
}

type nameKey struct {
	kind managedKind
	name string
}

type managerServer struct {
	key       []byte
	guard     *authGuard
	dir       string // the Unix socket's private directory
	unixPath  string
	listeners []net.Listener

	ctx    context.Context // done at close: every blocking request returns
	cancel context.CancelFunc

	mu      sync.Mutex
	objects map[uint64]managedObject
	names   map[nameKey]uint64
	nextID  uint64
	conns   map[*serverConn]struct{}
	closed  bool
	wg      sync.WaitGroup
}

type serverConn struct {
	conn   net.Conn
	r      *bufio.Reader
	ctx    context.Context // done when the connection or the server ends
	cancel context.CancelFunc
}

// managerDirPrefix starts the name of a manager's socket directory, which
// goes on with the pid of the process serving it.
const managerDirPrefix = "gomp-mgr-"

// handshakeTimeout bounds how long a connection may take to prove the key:
// a peer that connects and says nothing must not hold a goroutine forever.
const handshakeTimeout = 10 * time.Second

// startManagerServer listens on a Unix socket in a new private directory
// and, if tcpAddr is set, on TCP too.
func startManagerServer(key []byte, tcpAddr string) (*managerServer, error) {
	shm.RemoveStaleDirs(os.TempDir(), managerDirPrefix)
	dir, err := os.MkdirTemp("", managerDirPrefix+strconv.Itoa(os.Getpid())+"-") // mode 0700
	if err != nil {
		return nil, fmt.Errorf("making the manager's directory: %w", err)
	}
	s := &managerServer{
		key:      key,
		guard:    newAuthGuard(),
		dir:      dir,
		unixPath: filepath.Join(dir, "manager.sock"),
		objects:  map[uint64]managedObject{},
		names:    map[nameKey]uint64{},
		conns:    map[*serverConn]struct{}{},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	unixLn, err := net.Listen("unix", s.unixPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("listening on the manager's socket: %w", err)
	}
	s.listeners = append(s.listeners, unixLn)
	if tcpAddr != "" {
		tcpLn, err := net.Listen("tcp", tcpAddr)
		if err != nil {
			unixLn.Close()
			os.RemoveAll(dir)
			return nil, fmt.Errorf("listening on %s: %w", tcpAddr, err)
		}
		s.listeners = append(s.listeners, tcpLn)
	}
	for _, ln := range s.listeners {
		s.wg.Add(1)
		go s.accept(ln)
	}
	return s, nil
}

// tcpAddress is the TCP address the server listens on, "" if none.
func (s *managerServer) tcpAddress() string {
	for _, ln := range s.listeners {
		if a, ok := ln.Addr().(*net.TCPAddr); ok {
			return a.String()
		}
	}
	return ""
}

// accept runs until the listener is closed.
func (s *managerServer) accept(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors, say: wait a little rather than spin.
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
				continue
			}
		}
		if !s.guard.admit() { // its slot is given back at the handshake's end
			c.Close()
			continue
		}
		sc := &serverConn{conn: c}
		sc.ctx, sc.cancel = context.WithCancel(s.ctx)
		if !s.track(sc) {
			s.guard.release()
			c.Close()
			sc.cancel()
			return
		}
		s.wg.Add(1)
		go s.serve(sc)
	}
}

// connCount is the number of open connections.
func (s *managerServer) connCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func (s *managerServer) track(sc *serverConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[sc] = struct{}{}
	return true
}

// serve answers one connection until it ends: the handshake, then requests
// in order. Whatever goes wrong ends this connection only.
func (s *managerServer) serve(sc *serverConn) {
	defer s.wg.Done()
	defer func() {
		sc.cancel()
		sc.conn.Close()
		s.mu.Lock()
		delete(s.conns, sc)
		s.mu.Unlock()
		s.releaseLocksOf(sc)
	}()
	r := bufio.NewReader(sc.conn)
	if !s.authenticate(sc, r) {
		return
	}

	sc.r = r
	for {
		req, err := readManagerMessage(r)
		if err != nil {
			return
		}
		reply := s.handle(sc, req)
		if err := writeManagerMessage(sc.conn, reply); err != nil {
			if req.op == mopQueueGet && reply.op == statusOK {
				s.requeue(req.obj, reply.parts[0]) // the item never reached anyone
			}
			return
		}
	}
}

// authenticate runs the handshake on a connection that holds one of the
// guard's slots, and gives the slot back.
func (s *managerServer) authenticate(sc *serverConn, r *bufio.Reader) bool {
	defer s.guard.release()
	addr := peerAddress(sc.conn)
	if uc, ok := sc.conn.(*net.UnixConn); ok {
		if err := checkPeerUser(uc); err != nil {
			s.guard.refused(addr, err.Error())
			return false
		}
	}
	sc.conn.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := serverHandshake(sc.ctx, sc.conn, r, s.key, s.guard, addr); err != nil {
		return false
	}
	sc.conn.SetDeadline(time.Time{})
	return true
}

// watchPeer is for a request about to wait (a Queue.Get, a Lock.Acquire):
// its context ends when the client hangs up (an interrupted or dead
// process) or the server closes, so the wait ends with it. Requests that
// do not wait are read and answered by one goroutine, with no hand-off.
// stop ends the watch; the connection is as before.
func (sc *serverConn) watchPeer() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(sc.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// A client waits for its reply before it sends again, so the only
		// thing to read now is its end (bytes it sent anyway stay buffered
		// for the next request).
		if _, err := sc.r.Peek(1); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			cancel()
		}
	}()
	return ctx, func() {
		sc.conn.SetReadDeadline(time.Unix(1, 0))
		<-done
		sc.conn.SetReadDeadline(time.Time{})
		cancel()
	}
}

// releaseLocksOf releases the locks sc held when it ended.
func (s *managerServer) releaseLocksOf(sc *serverConn) {
	s.mu.Lock()
	var locks []*managedLock
	for _, o := range s.objects {
		if l, ok := o.obj.(*managedLock); ok {
			locks = append(locks, l)
		}
	}
	s.mu.Unlock()
	for _, l := range locks {
		l.mu.Lock()
		if l.holder == sc {
			l.holder = nil
			l.token <- struct{}{}
		}
		l.mu.Unlock()
	}
}

func errorReply(format string, args ...any) managerMessage {
	return managerMessage{op: statusError, parts: [][]byte{fmt.Appendf(nil, format, args...)}}
}

func (s *managerServer) object(id uint64) (managedObject, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[id]
	return o, ok
}

// create makes an object, or finds the one of that kind and name.
func (s *managerServer) create(kind managedKind, name string, initial []byte) (uint64, error) {
	var obj any
	switch kind {
	case dictObject, namespaceObject:
		obj = &managedDict{entries: map[string]*dictEntry{}}
	case listObject:
		obj = &managedList{}
	case queueObject:
		obj = &managedQueue{changed: make(chan struct{})}
	case lockObject:
		l := &managedLock{token: make(chan struct{}, 1)}
		l.token <- struct{}{}
		obj = l
	case valueObject:
		obj = &managedValue{val: initial}
	default:
		return 0, fmt.Errorf("no such kind of object: %d", kind)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != "" {
		if id, ok := s.names[nameKey{kind, name}]; ok {
			return id, nil
		}
	}
	s.nextID++
	id := s.nextID
	s.objects[id] = managedObject{kind: kind, obj: obj}
	if name != "" {
		s.names[nameKey{kind, name}] = id
	}
	return id, nil
}

// handle answers one request.
func (s *managerServer) handle(sc *serverConn, req managerMessage) managerMessage {
	if req.op == mopCreate {
		if len(req.parts) < 1 || len(req.parts) > 2 || req.num <= 0 || req.num > int64(valueObject) {
			return errorReply("malformed create request")
		}
		var initial []byte
		if len(req.parts) == 2 {
			initial = slices.Clone(req.parts[1])
		}
		id, err := s.create(managedKind(req.num), string(req.parts[0]), initial)
		if err != nil {
			return errorReply("%v", err)
		}
		return managerMessage{num: int64(id)}
	}
	o, ok := s.object(req.obj)
	if !ok {
		return errorReply("no object %d on this manager", req.obj)
	}
	switch obj := o.obj.(type) {
	case *managedDict:
		return obj.handle(req)
	case *managedList:
		return obj.handle(req)
	case *managedQueue:
		return obj.handle(sc, req)
	case *managedLock:
		return obj.handle(sc, req)
	case *managedValue:
		return obj.handle(req)
	}
	return errorReply("object %d cannot answer op %d", req.obj, req.op)
}

// wantParts checks a request's number of parts.
func wantParts(req managerMessage, n int) (managerMessage, bool) {
	if len(req.parts) != n {
		return errorReply("op %d takes %d values, not %d", req.op, n, len(req.parts)), false
	}
	return managerMessage{}, true
}

func (d *managedDict) handle(req managerMessage) managerMessage {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch req.op {
	case mopLen:
		return managerMessage{num: int64(len(d.entries))}
	case mopDictGet:
		if bad, ok := wantParts(req, 1); !ok {
			return bad
		}
		e, ok := d.entries[string(req.parts[0])]
		if !ok {
			return managerMessage{op: statusMissing}
		}
		return managerMessage{parts: [][]byte{e.val}}
	case mopDictSet:
		if bad, ok := wantParts(req, 2); !ok {
			return bad
		}
		val := slices.Clone(req.parts[1])
		if e, ok := d.entries[string(req.parts[0])]; ok {
			e.val = val // an update keeps the key's place, as in Python
		} else {
			d.seq++
			d.entries[string(req.parts[0])] = &dictEntry{key: slices.Clone(req.parts[0]), val: val, seq: d.seq}
		}
		return managerMessage{}
	case mopDictDelete:
		if bad, ok := wantParts(req, 1); !ok {
			return bad
		}
		_, ok := d.entries[string(req.parts[0])]
		delete(d.entries, string(req.parts[0]))
		return managerMessage{num: boolNum(ok)}
	case mopDictKeys, mopDictItems:
		entries := slices.SortedFunc(maps.Values(d.entries), func(a, b *dictEntry) int { return cmp.Compare(a.seq, b.seq) })
		var parts [][]byte
		for _, e := range entries {
			parts = append(parts, e.key)
			if req.op == mopDictItems {
				parts = append(parts, e.val)
			}
		}
		return managerMessage{parts: parts}
	}
	return errorReply("a dict cannot answer op %d", req.op)
}

func (l *managedList) handle(req managerMessage) managerMessage {
	l.mu.Lock()
	defer l.mu.Unlock()
	index := func() (int, bool) {
		i := req.num
		if i < 0 {
			i += int64(len(l.items)) // Python's l[-1]
		}
		if i < 0 || i >= int64(len(l.items)) {
			return 0, false
		}
		return int(i), true
	}
	switch req.op {
	case mopLen:
		return managerMessage{num: int64(len(l.items))}
	case mopListAppend:
		if bad, ok := wantParts(req, 1); !ok {
			return bad
		}
		l.items = append(l.items, slices.Clone(req.parts[0]))
		return managerMessage{}
	case mopListGet:
		i, ok := index()
		if !ok {
			return errorReply("list index %d out of range (length %d)", req.num, len(l.items))
		}
		return managerMessage{parts: [][]byte{l.items[i]}}
	case mopListSet:
		if bad, ok := wantParts(req, 1); !ok {
			return bad
		}
		i, ok := index()
		if !ok {
			return errorReply("list assignment index %d out of range (length %d)", req.num, len(l.items))
		}
		l.items[i] = slices.Clone(req.parts[0])
		return managerMessage{}
	case mopListItems:
		return managerMessage{parts: slices.Clone(l.items)}
	}
	return errorReply("a list cannot answer op %d", req.op)
}

func (q *managedQueue) handle(sc *serverConn, req managerMessage) managerMessage {
	switch req.op {
	case mopLen:
		q.mu.Lock()
		defer q.mu.Unlock()
		return managerMessage{num: int64(len(q.items))}
	case mopQueuePut:
		if bad, ok := wantParts(req, 1); !ok {
			return bad
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		q.items = append(q.items, slices.Clone(req.parts[0]))
		close(q.changed)
		q.changed = make(chan struct{})
		return managerMessage{}
	case mopQueueGet:
		var (
			expired <-chan time.Time
			peer    context.Context
		)
		for {
			q.mu.Lock()
			if len(q.items) > 0 {
				item := q.items[0]
				q.items[0] = nil
				q.items = q.items[1:]
				q.mu.Unlock()
				return managerMessage{parts: [][]byte{item}}
			}
			changed := q.changed
			q.mu.Unlock()
			if req.num == 0 {
				return managerMessage{op: statusEmpty}
			}
			if peer == nil { // the first wait
				var stop func()
				peer, stop = sc.watchPeer()
				defer stop()
				if req.num > 0 {
					t := time.NewTimer(time.Duration(req.num))
					defer t.Stop()
					expired = t.C
				}
			}
			select {
			case <-changed:
			case <-expired:
				return managerMessage{op: statusEmpty}
			case <-peer.Done():
				return errorReply("the manager is shutting down, or the client went away")
			}
		}
	}
	return errorReply("a queue cannot answer op %d", req.op)
}

// requeue puts back at the front an item whose Get could not be answered.
func (s *managerServer) requeue(id uint64, item []byte) {
	o, ok := s.object(id)
	if !ok {
		return
	}
	q := o.obj.(*managedQueue)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = slices.Insert(q.items, 0, item)
	close(q.changed)
	q.changed = make(chan struct{})
}

func (l *managedLock) handle(sc *serverConn, req managerMessage) managerMessage {
	switch req.op {
	case mopLockAcquire:
		select {
		case <-l.token:
		default:
			if req.num == 0 {
				return managerMessage{num: 0}
			}
			var expired <-chan time.Time
			if req.num > 0 {
				t := time.NewTimer(time.Duration(req.num))
				defer t.Stop()
				expired = t.C
			}
			peer, stop := sc.watchPeer()
			defer stop()
			select {
			case <-l.token:
			case <-expired:
				return managerMessage{num: 0}
			case <-peer.Done():
				return errorReply("the manager is shutting down, or the client went away")
			}
		}
		l.mu.Lock()
		l.holder = sc
		l.mu.Unlock()
		return managerMessage{num: 1}
	case mopLockRelease:
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.holder == nil {
			return errorReply("release of an unlocked lock")
		}
		// Any connection may release it, as any thread may release a
		// Python Lock.
		l.holder = nil
		l.token <- struct{}{}
		return managerMessage{}
	}
	return errorReply("a lock cannot answer op %d", req.op)
}

func (v *managedValue) handle(req managerMessage) managerMessage {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch req.op {
	case mopValueGet:
		return managerMessage{parts: [][]byte{v.val}}
	case mopValueSet:
		if bad, ok := wantParts(req, 1); !ok {
			return bad
		}
		v.val = slices.Clone(req.parts[0])
		return managerMessage{}
	}
	return errorReply("a value cannot answer op %d", req.op)
}

func boolNum(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// close stops listening, ends every connection and blocking request, waits
// for every goroutine of the server and removes its directory.
func (s *managerServer) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.cancel()
	for sc := range s.conns {
		sc.conn.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	os.RemoveAll(s.dir)
}
