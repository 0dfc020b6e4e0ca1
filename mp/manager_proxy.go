package mp

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"gomp/mp/shm"
)

// proxy is what every manager proxy holds: which manager, which object.
//
// A proxy crosses between processes as a shared object whose Ref is a small
// shm allocation holding its descriptor (the manager's network, address and
// auth key, the object's id), written the first time the proxy is sent.
// The receiving process opens a proxy on the same object, sharing one pool
// of connections per manager.
type proxy struct {
	client *managerClient
	kind   managedKind
	id     uint64

	mu     sync.Mutex
	region *shm.Region // where the descriptor was written
	ref    shm.Ref
}

func sharedKindOf(k managedKind) string {
	if k == managerObject {
		return "manager"
	}
	return "manager." + k.String()
}

// maxDescriptor bounds a descriptor read from shared memory.
const maxDescriptor = 64 << 10

// sharedRef writes the descriptor once per region and remembers self (the
// *DictProxy...) as this process's handle for it.
func (p *proxy) sharedRef(self any) (string, uint64) {
	kind := sharedKindOf(p.kind)
	r := mustRegion("sending a manager's proxy")
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.region != r {
		e := p.client.endpoint
		desc := appendManagerMessage(make([]byte, 4, 64), managerMessage{
			op: byte(p.kind), obj: p.id,
			parts: [][]byte{[]byte(e.network), []byte(e.address), e.key},
		})
		binary.BigEndian.PutUint32(desc, uint32(len(desc)-4))
		ref, err := r.Alloc(len(desc))
		if err != nil {
			panic(fmt.Errorf("mp: sending a manager's proxy: %w", err))
		}
		b, err := r.Bytes(ref, len(desc))
		if err != nil {
			panic(fmt.Errorf("mp: sending a manager's proxy: %w", err))
		}
		copy(b, desc)
		p.region, p.ref = r, ref
		rememberShared(kind, ref, self)
	}
	return kind, uint64(p.ref)
}

// openProxy reads a descriptor that another process wrote.
func openProxy(r *shm.Region, ref shm.Ref, kind managedKind) (*proxy, error) {
	head, err := r.Bytes(ref, 4)
	if err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(head))
	if n > maxDescriptor {
		return nil, fmt.Errorf("a proxy's descriptor of %d bytes", n)
	}
	b, err := r.Bytes(ref, 4+n)
	if err != nil {
		return nil, err
	}
	m, err := decodeManagerMessage(append([]byte(nil), b[4:]...))
	if err != nil || managedKind(m.op) != kind || len(m.parts) != 3 {
		return nil, fmt.Errorf("a broken proxy descriptor (%v)", err)
	}
	e := managerEndpoint{network: string(m.parts[0]), address: string(m.parts[1]), key: m.parts[2]}
	return &proxy{client: openedClient(e), kind: kind, id: m.obj, region: r, ref: ref}, nil
}

func init() {
	registerSharedKind(sharedKindOf(dictObject), func(r *shm.Region, ref shm.Ref) (any, error) {
		p, err := openProxy(r, ref, dictObject)
		return &DictProxy{p: p}, err
	})
	registerSharedKind(sharedKindOf(listObject), func(r *shm.Region, ref shm.Ref) (any, error) {
		p, err := openProxy(r, ref, listObject)
		return &ListProxy{p: p}, err
	})
	registerSharedKind(sharedKindOf(namespaceObject), func(r *shm.Region, ref shm.Ref) (any, error) {
		p, err := openProxy(r, ref, namespaceObject)
		return &NamespaceProxy{p: p}, err
	})
	registerSharedKind(sharedKindOf(queueObject), func(r *shm.Region, ref shm.Ref) (any, error) {
		p, err := openProxy(r, ref, queueObject)
		return &QueueProxy{p: p}, err
	})
	registerSharedKind(sharedKindOf(lockObject), func(r *shm.Region, ref shm.Ref) (any, error) {
		p, err := openProxy(r, ref, lockObject)
		return &LockProxy{p: p}, err
	})
	registerSharedKind(sharedKindOf(valueObject), func(r *shm.Region, ref shm.Ref) (any, error) {
		p, err := openProxy(r, ref, valueObject)
		return &ValueProxy{p: p}, err
	})
	registerSharedKind(sharedKindOf(managerObject), func(r *shm.Region, ref shm.Ref) (any, error) {
		p, err := openProxy(r, ref, managerObject)
		if err != nil {
			return nil, err
		}
		return &Manager{client: p.client, address: p.client.endpoint.String(), self: p, opened: true}, nil
	})
}

// call sends one request; a failure panics, as Python's proxies raise.
func (p *proxy) call(what string, req managerMessage) managerMessage {
	req.obj = p.id
	reply, err := p.client.call(cellContext(), req)
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w", what, err))
	}
	return reply
}

func mustEncode(what string, v any) []byte {
	b, _, err := encodeItem(nil, v, storedInManager) // a stored copy of a pipe end stays counted
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w", what, err))
	}
	return b
}

func mustDecode(what string, b []byte) any {
	v, err := decodeItem(b, false)
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w", what, err))
	}
	return v
}

// checkKey refuses a key that could not be a map key on the way back
// (Python's dict keys must be hashable for the same reason).
func checkKey(what string, k any) {
	if k != nil && !reflect.TypeOf(k).Comparable() {
		panic(fmt.Errorf("mp: %s: a key of type %T cannot be a dict key (it is not comparable)", what, k))
	}
}

// DictProxy is a dict served by a Manager (Python's manager.dict()). Keys
// are compared by their encoding, which for numbers and strings is their
// value (1 and int64(1) are different keys, as their types differ); values
// come back with the type they went in with.
type DictProxy struct{ p *proxy }

// SharedRef lets a DictProxy cross to other processes (package codec).
func (d *DictProxy) SharedRef() (string, uint64) { return d.p.sharedRef(d) }

// Get is the value at k, nil if there is none (Lookup tells the two apart).
func (d *DictProxy) Get(k any) any {
	v, _ := d.Lookup(k)
	return v
}

// Lookup is the value at k and whether there is one.
func (d *DictProxy) Lookup(k any) (any, bool) {
	checkKey("DictProxy.Get", k)
	reply := d.p.call("DictProxy.Get", managerMessage{op: mopDictGet, parts: [][]byte{mustEncode("DictProxy.Get", k)}})
	if reply.op == statusMissing || len(reply.parts) != 1 {
		return nil, false
	}
	return mustDecode("DictProxy.Get", reply.parts[0]), true
}

// Set sets the value at k.
func (d *DictProxy) Set(k, v any) {
	checkKey("DictProxy.Set", k)
	d.p.call("DictProxy.Set", managerMessage{op: mopDictSet, parts: [][]byte{mustEncode("DictProxy.Set", k), mustEncode("DictProxy.Set", v)}})
}

// Delete removes k, if it is there.
func (d *DictProxy) Delete(k any) {
	d.p.call("DictProxy.Delete", managerMessage{op: mopDictDelete, parts: [][]byte{mustEncode("DictProxy.Delete", k)}})
}

// Contains reports whether k is in the dict (Python's k in d).
func (d *DictProxy) Contains(k any) bool {
	_, ok := d.Lookup(k)
	return ok
}

// Len is the number of keys.
func (d *DictProxy) Len() int {
	return int(d.p.call("DictProxy.Len", managerMessage{op: mopLen}).num)
}

// Keys are the keys, in the order they were first set (as Python's dicts).
func (d *DictProxy) Keys() []any {
	reply := d.p.call("DictProxy.Keys", managerMessage{op: mopDictKeys})
	keys := make([]any, len(reply.parts))
	for i, b := range reply.parts {
		keys[i] = mustDecode("DictProxy.Keys", b)
	}
	return keys
}

// Items is a copy of the dict, which fmt prints with sorted keys.
func (d *DictProxy) Items() map[any]any {
	reply := d.p.call("DictProxy.Items", managerMessage{op: mopDictItems})
	items := make(map[any]any, len(reply.parts)/2)
	for i := 0; i+1 < len(reply.parts); i += 2 {
		items[mustDecode("DictProxy.Items", reply.parts[i])] = mustDecode("DictProxy.Items", reply.parts[i+1])
	}
	return items
}

// String prints the dict's contents, as Python's str of a dict proxy.
func (d *DictProxy) String() string {
	return describe(func() string { return fmt.Sprint(d.Items()) })
}

// describe runs a String method that asks the manager, which may fail:
// printing must not panic.
func describe(f func() string) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("<unavailable: %v>", r)
		}
	}()
	return f()
}

// ListProxy is a list served by a Manager (Python's manager.list()).
// Indexes may be negative, counting from the end as in Python.
type ListProxy struct{ p *proxy }

// SharedRef lets a ListProxy cross to other processes (package codec).
func (l *ListProxy) SharedRef() (string, uint64) { return l.p.sharedRef(l) }

// Append adds v at the end.
func (l *ListProxy) Append(v any) {
	l.p.call("ListProxy.Append", managerMessage{op: mopListAppend, parts: [][]byte{mustEncode("ListProxy.Append", v)}})
}

// Get is the item at index i; out of range panics, as Python raises
// IndexError.
func (l *ListProxy) Get(i int) any {
	reply := l.p.call("ListProxy.Get", managerMessage{op: mopListGet, num: int64(i)})
	return mustDecode("ListProxy.Get", reply.parts[0])
}

// Set replaces the item at index i.
func (l *ListProxy) Set(i int, v any) {
	l.p.call("ListProxy.Set", managerMessage{op: mopListSet, num: int64(i), parts: [][]byte{mustEncode("ListProxy.Set", v)}})
}

// Len is the number of items.
func (l *ListProxy) Len() int {
	return int(l.p.call("ListProxy.Len", managerMessage{op: mopLen}).num)
}

// Items is a copy of the list.
func (l *ListProxy) Items() []any {
	reply := l.p.call("ListProxy.Items", managerMessage{op: mopListItems})
	items := make([]any, len(reply.parts))
	for i, b := range reply.parts {
		items[i] = mustDecode("ListProxy.Items", b)
	}
	return items
}

// String prints the list's contents.
func (l *ListProxy) String() string {
	return describe(func() string { return fmt.Sprint(l.Items()) })
}

// NamespaceProxy is a namespace served by a Manager (Python's
// manager.Namespace()): named values, which Python reads and writes as
// attributes (ns.x = 1) and Go with Get and Set.
type NamespaceProxy struct{ p *proxy }

// SharedRef lets a NamespaceProxy cross to other processes (package codec).
func (n *NamespaceProxy) SharedRef() (string, uint64) { return n.p.sharedRef(n) }

// Get is the value named name, nil if it was never set.
func (n *NamespaceProxy) Get(name string) any {
	reply := n.p.call("NamespaceProxy.Get", managerMessage{op: mopDictGet, parts: [][]byte{[]byte(name)}})
	if reply.op == statusMissing || len(reply.parts) != 1 {
		return nil
	}
	return mustDecode("NamespaceProxy.Get", reply.parts[0])
}

// Set sets the value named name.
func (n *NamespaceProxy) Set(name string, v any) {
	n.p.call("NamespaceProxy.Set", managerMessage{op: mopDictSet, parts: [][]byte{[]byte(name), mustEncode("NamespaceProxy.Set", v)}})
}

// String prints the namespace as Python does: Namespace(a=1, b=2).
func (n *NamespaceProxy) String() string {
	return describe(func() string {
		reply := n.p.call("NamespaceProxy.String", managerMessage{op: mopDictItems})
		var parts []string
		for i := 0; i+1 < len(reply.parts); i += 2 {
			parts = append(parts, fmt.Sprintf("%s=%v", reply.parts[i], mustDecode("NamespaceProxy.String", reply.parts[i+1])))
		}
		return "Namespace(" + strings.Join(parts, ", ") + ")"
	})
}

// QueueProxy is a queue served by a Manager (Python's manager.Queue()).
type QueueProxy struct{ p *proxy }

// SharedRef lets a QueueProxy cross to other processes (package codec).
func (q *QueueProxy) SharedRef() (string, uint64) { return q.p.sharedRef(q) }

// Put adds v at the end; it never waits (the queue has no bound).
func (q *QueueProxy) Put(v any) {
	q.p.call("QueueProxy.Put", managerMessage{op: mopQueuePut, parts: [][]byte{mustEncode("QueueProxy.Put", v)}})
}

// Get takes the first item, waiting for one; interrupting the kernel stops
// the wait.
func (q *QueueProxy) Get() any {
	v, _ := q.get(-1)
	return v
}

// GetTimeout takes the first item, waiting at most timeout (0: not at all);
// ErrEmpty if none came.
func (q *QueueProxy) GetTimeout(timeout time.Duration) (any, error) {
	return q.get(max(timeout, 0))
}

func (q *QueueProxy) get(timeout time.Duration) (any, error) {
	reply := q.p.call("QueueProxy.Get", managerMessage{op: mopQueueGet, num: int64(timeout)})
	if reply.op == statusEmpty {
		return nil, fmt.Errorf("mp: QueueProxy.GetTimeout: %w", ErrEmpty)
	}
	return mustDecode("QueueProxy.Get", reply.parts[0]), nil
}

// Qsize is the number of items in the queue.
func (q *QueueProxy) Qsize() int {
	return int(q.p.call("QueueProxy.Qsize", managerMessage{op: mopLen}).num)
}

// Empty reports whether the queue has no item.
func (q *QueueProxy) Empty() bool { return q.Qsize() == 0 }

func (q *QueueProxy) String() string {
	return fmt.Sprintf("<mp.QueueProxy %d at %s>", q.p.id, q.p.client.endpoint)
}

// LockProxy is a lock served by a Manager (Python's manager.Lock()). It is
// a sync.Locker. The manager releases it when the process holding it dies
// (its connection ends), so a killed worker does not block the others
// forever. Any process may release it, as any thread may release a Python
// Lock.
type LockProxy struct {
	p *proxy

	mu   sync.Mutex
	held *clientConn // the connection that acquired it, kept until Release
}

// SharedRef lets a LockProxy cross to other processes (package codec).
func (l *LockProxy) SharedRef() (string, uint64) { return l.p.sharedRef(l) }

// Acquire takes the lock, waiting until it is free; interrupting the kernel
// stops the wait.
func (l *LockProxy) Acquire() { l.acquire(-1) }

// AcquireTimeout takes the lock if it becomes free within timeout (0: only
// if it is free now), and reports whether it did.
func (l *LockProxy) AcquireTimeout(timeout time.Duration) bool { return l.acquire(max(timeout, 0)) }

// Lock is Acquire, for sync.Locker.
func (l *LockProxy) Lock() { l.acquire(-1) }

// Unlock is Release, for sync.Locker.
func (l *LockProxy) Unlock() { l.Release() }

func (l *LockProxy) acquire(timeout time.Duration) bool {
	ctx := cellContext()
	c := l.p.client
	cc, err := c.get(ctx)
	if err != nil {
		panic(fmt.Errorf("mp: LockProxy.Acquire: %w", err))
	}
	reply, err := c.roundTrip(ctx, cc, managerMessage{op: mopLockAcquire, obj: l.p.id, num: int64(timeout)})
	if err != nil {
		if reply.op == statusError {
			c.put(cc)
		}
		panic(fmt.Errorf("mp: LockProxy.Acquire: %w", err))
	}
	if cc.spent {
		// Interrupted as the reply came: the connection is closed, and
		// with it the manager frees the lock if it was just granted.
		panic(fmt.Errorf("mp: LockProxy.Acquire: %w", ctx.Err()))
	}
	if reply.num != 1 {
		c.put(cc)
		return false
	}
	// The manager knows the holder by this connection: keep it until
	// Release, so that it ends (and the lock is freed) only with the holder.
	l.mu.Lock()
	previous := l.held
	l.held = cc
	l.mu.Unlock()
	if previous != nil {
		c.put(previous) // another process released the lock under it
	}
	return true
}

// Release frees the lock; releasing a free lock panics, as Python raises.
func (l *LockProxy) Release() {
	l.mu.Lock()
	cc := l.held
	l.held = nil
	l.mu.Unlock()
	ctx := cellContext()
	c := l.p.client
	if cc == nil {
		var err error
		if cc, err = c.get(ctx); err != nil {
			panic(fmt.Errorf("mp: LockProxy.Release: %w", err))
		}
	}
	reply, err := c.roundTrip(ctx, cc, managerMessage{op: mopLockRelease, obj: l.p.id})
	if err != nil {
		if reply.op == statusError {
			c.put(cc)
		}
		panic(fmt.Errorf("mp: LockProxy.Release: %w", err))
	}
	c.put(cc)
}

func (l *LockProxy) String() string {
	return fmt.Sprintf("<mp.LockProxy %d at %s>", l.p.id, l.p.client.endpoint)
}

// ValueProxy is a value served by a Manager (Python's manager.Value()).
type ValueProxy struct{ p *proxy }

// SharedRef lets a ValueProxy cross to other processes (package codec).
func (v *ValueProxy) SharedRef() (string, uint64) { return v.p.sharedRef(v) }

// Get is the value, with the type it was set with.
func (v *ValueProxy) Get() any {
	reply := v.p.call("ValueProxy.Get", managerMessage{op: mopValueGet})
	return mustDecode("ValueProxy.Get", reply.parts[0])
}

// Set replaces the value.
func (v *ValueProxy) Set(x any) {
	v.p.call("ValueProxy.Set", managerMessage{op: mopValueSet, parts: [][]byte{mustEncode("ValueProxy.Set", x)}})
}

// String prints the value.
func (v *ValueProxy) String() string {
	return describe(func() string { return fmt.Sprint(v.Get()) })
}
