package mp

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"gomp/mp/codec"
	"gomp/mp/shm"
)

// Shared objects (queues, pipe ends, locks, values, managers' proxies) live
// in the kernel's shared memory region (package shm), which every process of
// the kernel maps. One crosses between processes as a codec reference: its
// kind and its shm.Ref. The receiving process opens its own handle on the
// same memory through the kind's opener, once: the same object resolves to
// the same pointer every time, in every message.

// sharedKinds maps a kind to the function that opens a handle on an object
// of that kind, in this process, from its Ref. Each kind registers itself
// from an init function.
var sharedKinds = map[string]func(r *shm.Region, ref shm.Ref) (any, error){}

func registerSharedKind(kind string, open func(r *shm.Region, ref shm.Ref) (any, error)) {
	if _, dup := sharedKinds[kind]; dup {
		panic("mp: shared kind registered twice: " + kind)
	}
	sharedKinds[kind] = open
}

type sharedKey struct {
	kind string
	ref  shm.Ref
}

// sharedHandles are this process's handles, by kind and Ref: the same
// object arriving again resolves to the same pointer. Handles of kinds that
// are freed (freedKinds) are held weakly, so that a handle nobody uses any
// more can be collected, and its object freed.
var sharedHandles struct {
	mu sync.Mutex
	m  map[sharedKey]handleEntry
}

// handleEntry is a handle, held strongly or weakly.
type handleEntry interface{ handle() any }

type strongHandle struct{ h any }

func (s strongHandle) handle() any { return s.h }

type weakHandle[T any] struct{ p weak.Pointer[T] }

func (w weakHandle[T]) handle() any {
	if h := w.p.Value(); h != nil {
		return h
	}
	return nil
}

func lookupShared(key sharedKey) any {
	sharedHandles.mu.Lock()
	defer sharedHandles.mu.Unlock()
	if e, ok := sharedHandles.m[key]; ok {
		return e.handle()
	}
	return nil
}

// storeShared records h for key unless a live handle is there already
// (two goroutines raced to open it): it returns the one that counts.
func storeShared(key sharedKey, h any, e handleEntry) (any, bool) {
	sharedHandles.mu.Lock()
	defer sharedHandles.mu.Unlock()
	if old, ok := sharedHandles.m[key]; ok {
		if oh := old.handle(); oh != nil {
			return oh, false
		}
	}
	if sharedHandles.m == nil {
		sharedHandles.m = map[sharedKey]handleEntry{}
	}
	sharedHandles.m[key] = e
	return h, true
}

// forgetDeadShared drops key's entry if its handle was collected.
func forgetDeadShared(key sharedKey) {
	sharedHandles.mu.Lock()
	defer sharedHandles.mu.Unlock()
	if e, ok := sharedHandles.m[key]; ok && e.handle() == nil {
		delete(sharedHandles.m, key)
	}
}

// eachShared calls f on every live handle.
func eachShared(f func(any)) {
	sharedHandles.mu.Lock()
	hs := make([]any, 0, len(sharedHandles.m))
	for _, e := range sharedHandles.m {
		if h := e.handle(); h != nil {
			hs = append(hs, h)
		}
	}
	sharedHandles.mu.Unlock()
	for _, h := range hs {
		f(h)
	}
}

// forgetAllShared empties the table (the session's end).
func forgetAllShared() {
	sharedHandles.mu.Lock()
	sharedHandles.m = nil
	sharedHandles.mu.Unlock()
}

// rememberShared records the handle this process made for a new object, so
// that the object coming back (through a queue, say) is the same pointer.
// (Kinds that are freed use trackShared instead.)
func rememberShared(kind string, ref shm.Ref, h any) {
	storeShared(sharedKey{kind, ref}, h, strongHandle{h})
}

// trackSimple makes h, opened on the object of kind at ref, this process's
// tracked handle on it (or returns the one that won a race).
func trackSimple[T any](r *shm.Region, kind string, ref shm.Ref, h *T) (any, error) {
	return trackShared(r, sharedKey{kind, ref}, ref, h, h, nil)
}

// mustTrack is trackSimple for constructors, which panic as Python's raise.
func mustTrack[T any](op string, r *shm.Region, kind string, ref shm.Ref, h *T) *T {
	won, err := trackSimple(r, kind, ref, h)
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w", op, err))
	}
	return won.(*T)
}

// freedKinds are the kinds whose objects are freed when no process holds
// them, each with the Ref of the object whose life an id names.
var freedKinds = map[string]func(id uint64) shm.Ref{}

// receivedAgain is implemented by handles that must know each time their
// object arrives in a message (a pipe end: this process holds it again, and
// the sender's copy in transit has arrived), not only the first time, when
// the kind's opener runs.
type receivedAgain interface{ sharedAgain() }

// sharedResolver opens shared objects for codec. A resolver for messages
// got from a queue or a pipe (received) counts each reference as arrived:
// the message no longer carries the object.
type sharedResolver struct{ received bool }

func (sr sharedResolver) ResolveShared(kind string, id uint64) (reflect.Value, error) {
	key := sharedKey{kind, shm.Ref(id)}
	h := lookupShared(key)
	if h != nil {
		if again, ok := h.(receivedAgain); ok {
			again.sharedAgain()
		}
	} else {
		open, ok := sharedKinds[kind]
		if !ok {
			return reflect.Value{}, fmt.Errorf("mp: unknown kind of shared object %q", kind)
		}
		r, err := region()
		if err != nil {
			return reflect.Value{}, err
		}
		opened, err := open(r, key.ref)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("mp: opening a shared %s: %w", kind, err)
		}
		if _, freed := freedKinds[kind]; freed {
			h = opened // the opener tracked and remembered it (a weak entry needs its type)
		} else {
			h, _ = storeShared(key, opened, strongHandle{opened}) // two goroutines raced: one handle wins
		}
	}
	if lifeOf := freedKinds[kind]; sr.received && lifeOf != nil {
		if r, err := region(); err == nil {
			r.Transit(lifeOf(id), -1)
		}
	}
	return reflect.ValueOf(h), nil
}

// trackShared makes h count as this process's handle on the object whose
// life ref names, from now until owner (h itself, or what h wraps and every
// use of it goes through) is collected: then release runs (it must not
// refer to either) and the object is released, to be freed once no process
// and no message holds it. The handle is remembered (weakly) under key; if
// a live one is there already (two goroutines raced), that one is
// returned. Every method of a tracked handle that touches its shared memory
// keeps the handle alive to its end (runtime.KeepAlive): the compiler may
// consider a receiver dead after its last use, and its object could then be
// freed, and its memory reused, under the method's feet.
func trackShared[T, U any](r *shm.Region, key sharedKey, ref shm.Ref, h *T, owner *U, release func()) (any, error) {
	if won, ok := storeShared(key, h, weakHandle[T]{weak.Make(h)}); !ok {
		return won, nil
	}
	id, err := r.Hold(ref)
	if err != nil {
		sharedHandles.mu.Lock()
		if e, ok := sharedHandles.m[key]; ok && e.handle() == any(h) {
			delete(sharedHandles.m, key)
		}
		sharedHandles.mu.Unlock()
		return nil, err
	}
	pace.made()
	runtime.AddCleanup(owner, releases.push, lifeArg{r: r, key: key, id: id, release: release})
	return h, nil
}

type lifeArg struct {
	r       *shm.Region
	key     sharedKey
	id      shm.Life
	release func()
}

// run releases a collected handle's object.
func (a lifeArg) run() {
	pace.collected()
	if a.release != nil {
		a.release()
	}
	forgetDeadShared(a.key)
	if !a.r.Release(a.id) {
		letGoLater(a.r, a.id)
	}
}

// releases are the collected handles whose objects are still to release
// (an unmap, a file removed: system calls). A goroutine of its own drains
// them, started when some arrive and ending when none are left, and every
// new handle releases a few first: a loop that makes objects faster than
// one goroutine can free them then pays for freeing them, and the files
// and mappings alive stay bounded.
var releases releaseQueue

type releaseQueue struct {
	mu       sync.Mutex
	pending  []lifeArg
	draining bool
}

// push is the cleanup of every tracked handle (it runs on the runtime's
// cleanup goroutine, which it must not hold up).
func (q *releaseQueue) push(a lifeArg) {
	q.mu.Lock()
	q.pending = append(q.pending, a)
	start := !q.draining
	q.draining = true
	q.mu.Unlock()
	if start {
		go q.drain()
	}
}

func (q *releaseQueue) pop(last bool) (lifeArg, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.pending)
	if n == 0 {
		if last {
			q.draining = false
		}
		return lifeArg{}, false
	}
	a := q.pending[n-1]
	q.pending[n-1] = lifeArg{}
	q.pending = q.pending[:n-1]
	return a, true
}

func (q *releaseQueue) drain() {
	for {
		a, ok := q.pop(true)
		if !ok {
			return
		}
		a.run()
	}
}

// help releases up to n pending handles in the caller's goroutine.
func (q *releaseQueue) help(n int) {
	for range n {
		a, ok := q.pop(false)
		if !ok {
			return
		}
		a.run()
	}
}

// pace runs the collector when handles on freed kinds pile up: they are
// small on the Go heap, so the heap's own pacing would let a loop map tens
// of thousands of 1 GiB queues (and their files) before a collection finds
// them unreachable. A collection starts when the live handles are twice
// as many as the fewest since the last one, and at least minPacedHandles.
var pace handlePacer

type handlePacer struct {
	live, low  atomic.Int64
	collecting atomic.Bool
}

const minPacedHandles = 1024

func (p *handlePacer) made() {
	releases.help(2)
	n := p.live.Add(1)
	if n < max(minPacedHandles, 2*p.low.Load()) || !p.collecting.CompareAndSwap(false, true) {
		return
	}
	p.low.Store(n)
	go func() { // ends with the collection and a sweep; one at a time
		defer p.collecting.Store(false)
		runtime.GC()
		sweepLetGo()
	}()
}

func (p *handlePacer) collected() {
	n := p.live.Add(-1)
	for {
		low := p.low.Load()
		if n >= low || p.low.CompareAndSwap(low, n) {
			return
		}
	}
}

// letGo lists the objects this process let go of while other processes (or
// messages) still held them: swept again when a child ends or an
// allocation fails, so that a holder that died does not keep them forever.
var letGo struct {
	mu  sync.Mutex
	r   *shm.Region
	ids []shm.Life
}

func letGoLater(r *shm.Region, id shm.Life) {
	letGo.mu.Lock()
	defer letGo.mu.Unlock()
	if letGo.r != r {
		letGo.r, letGo.ids = r, nil
	}
	letGo.ids = append(letGo.ids, id)
}

// sweepLetGo frees what the holders that died since kept, looking at most
// at maxSweep of them (the oldest; those still kept go to the end).
func sweepLetGo() {
	letGo.mu.Lock()
	r, ids := letGo.r, letGo.ids
	if len(ids) > maxSweep {
		ids, letGo.ids = ids[:maxSweep:maxSweep], ids[maxSweep:]
	} else {
		letGo.ids = nil
	}
	letGo.mu.Unlock()
	if r == nil || len(ids) == 0 {
		return
	}
	kept := r.Sweep(ids)
	letGo.mu.Lock()
	if letGo.r == r {
		letGo.ids = append(letGo.ids, kept...)
	}
	letGo.mu.Unlock()
}

// maxSweep bounds one sweep's work (each holder looked at may be a system
// call, to see whether it lives).
const maxSweep = 4096

// allocRetrying runs alloc, and when a limit of shared memory stops it,
// collects the handles nobody uses, lets their cleanups free what they
// held, sweeps and tries again: a loop that makes and drops objects faster
// than the collector runs must not fail.
func allocRetrying[T any](alloc func() (T, error)) (T, error) {
	v, err := alloc()
	for try := 0; try < 4 && errors.Is(err, shm.ErrLimit); try++ {
		runtime.GC()
		time.Sleep(time.Duration(10<<try) * time.Millisecond) // cleanups run in their own goroutine
		sweepLetGo()
		v, err = alloc()
	}
	return v, err
}

// region is this process's view of the kernel's shared memory: made by the
// kernel at first use, opened by a child from the directory its start order
// names.
func region() (*shm.Region, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.regionLocked()
}

func (r *runtimeState) regionLocked() (*shm.Region, error) {
	if r.region != nil {
		return r.region, nil
	}
	var (
		reg *shm.Region
		err error
	)
	if r.self.child {
		if r.shmDir == "" {
			return nil, fmt.Errorf("mp: this process was not given its kernel's shared memory")
		}
		reg, err = shm.Open(r.shmDir)
	} else {
		reg, err = shm.Create()
	}
	if err != nil {
		return nil, fmt.Errorf("mp: shared memory: %w", err)
	}
	r.region = reg
	return reg, nil
}

// mustRegion is region for constructors, which panic as Python's raise.
func mustRegion(op string) *shm.Region {
	r, err := region()
	if err != nil {
		panic(fmt.Errorf("mp: %s: %w", op, err))
	}
	return r
}

// carry says what a message that carries shared objects is.
type carry int

const (
	// carriedInRing: an item of a queue or a pipe, got once; its objects
	// are counted in transit until then.
	carriedInRing carry = iota
	// storedInManager: a value a manager keeps and hands out any number
	// of times; its objects are pinned, never freed.
	storedInManager
)

// encodeItem encodes one value sent through a queue, a pipe or a manager:
// it must be copyable whole (a channel or a func inside is an error naming
// its type). Values of the notebook's types are named by the host. The
// returned transit is the message's shared objects, already counted: a
// caller whose send then fails gives it back (transit.cancel).
func encodeItem(dst []byte, v any, how carry) ([]byte, transit, error) {
	opts := codec.EncodeOptions{}
	if h := currentHost(); h != nil {
		opts.Namer = h
	}
	var t transit
	opts.Shared = t.add
	b, err := codec.AppendEncode(dst, v, opts)
	if err != nil {
		return b, transit{}, err
	}
	t.count(1)
	if how == storedInManager {
		t.pin()
	} else {
		t.travel(1)
	}
	return b, t, nil
}

// transit lists the objects of an encoded message: the pipe ends (which
// count their copies in transit for EOF) and the objects of kinds that are
// freed (which count the messages that carry them).
type transit struct {
	conns []*Conn
	objs  []shm.Ref
	kept  []codec.Shared // the handles, for a sender that keeps them while the message travels
}

func (t *transit) add(s codec.Shared) {
	if c, ok := s.(*Conn); ok {
		t.conns = append(t.conns, c)
	}
	kind, id := s.SharedRef()
	if lifeOf := freedKinds[kind]; lifeOf != nil {
		t.objs = append(t.objs, lifeOf(id))
		t.kept = append(t.kept, s)
	}
}

func (t transit) count(delta int) {
	for _, c := range t.conns {
		c.inTransit(delta)
	}
}

func (t transit) travel(delta int) {
	if len(t.objs) == 0 {
		return
	}
	r, err := region()
	if err != nil {
		return
	}
	for _, ref := range t.objs {
		r.Transit(ref, delta)
	}
}

func (t transit) pin() {
	if len(t.objs) == 0 {
		return
	}
	r, err := region()
	if err != nil {
		return
	}
	for _, ref := range t.objs {
		r.Pin(ref)
	}
}

// cancel gives back the copies of a ring message that was not sent.
func (t transit) cancel() {
	t.count(-1)
	t.travel(-1)
}

// decodeItem is encodeItem's inverse in this process; received says the
// message was got from a queue or a pipe (its objects arrived).
func decodeItem(data []byte, received bool) (any, error) {
	opts := codec.DecodeOptions{Shared: sharedResolver{received: received}}
	if h := currentHost(); h != nil {
		opts.Resolver = h
	}
	return codec.Decode(data, opts)
}
