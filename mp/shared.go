package mp

import (
	"fmt"
	"reflect"
	"sync"

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

// sharedHandles are this process's handles, by kind and Ref.
var sharedHandles sync.Map // sharedKey → any

// rememberShared records the handle this process made for a new object, so
// that the object coming back (through a queue, say) is the same pointer.
func rememberShared(kind string, ref shm.Ref, h any) {
	sharedHandles.Store(sharedKey{kind, ref}, h)
}

// receivedAgain is implemented by handles that must know each time their
// object arrives in a message (a pipe end: this process holds it again, and
// the sender's copy in transit has arrived), not only the first time, when
// the kind's opener runs.
type receivedAgain interface{ sharedAgain() }

// sharedResolver opens shared objects for codec.
type sharedResolver struct{}

func (sharedResolver) ResolveShared(kind string, id uint64) (reflect.Value, error) {
	key := sharedKey{kind, shm.Ref(id)}
	if h, ok := sharedHandles.Load(key); ok {
		if again, ok := h.(receivedAgain); ok {
			again.sharedAgain()
		}
		return reflect.ValueOf(h), nil
	}
	open, ok := sharedKinds[kind]
	if !ok {
		return reflect.Value{}, fmt.Errorf("mp: unknown kind of shared object %q", kind)
	}
	r, err := region()
	if err != nil {
		return reflect.Value{}, err
	}
	h, err := open(r, key.ref)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("mp: opening a shared %s: %w", kind, err)
	}
	h, _ = sharedHandles.LoadOrStore(key, h) // two goroutines raced: one handle wins
	return reflect.ValueOf(h), nil
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

// encodeItem encodes one value sent through a queue, a pipe or a manager:
// it must be copyable whole (a channel or a func inside is an error naming
// its type). Values of the notebook's types are named by the host. The
// returned transit is the message's copies of pipe ends, already counted:
// a caller whose send then fails gives it back (transit.cancel).
func encodeItem(dst []byte, v any) ([]byte, transit, error) {
	opts := codec.EncodeOptions{}
	if h := currentHost(); h != nil {
		opts.Namer = h
	}
	var t transit
	opts.Shared = t.add
	b, err := codec.AppendEncode(dst, v, opts)
	if err != nil {
		return b, nil, err
	}
	t.count(1)
	return b, t, nil
}

// transit lists the objects of an encoded message that must know they are
// being sent (pipe ends count their copies in transit).
type transit []*Conn

func (t *transit) add(s codec.Shared) {
	if c, ok := s.(*Conn); ok {
		*t = append(*t, c)
	}
}

func (t transit) count(delta int) {
	for _, c := range t {
		c.inTransit(delta)
	}
}

// cancel gives back the copies of a message that was not sent.
func (t transit) cancel() { t.count(-1) }

// decodeItem is encodeItem's inverse in this process.
func decodeItem(data []byte) (any, error) {
	opts := codec.DecodeOptions{Shared: sharedResolver{}}
	if h := currentHost(); h != nil {
		opts.Resolver = h
	}
	return codec.Decode(data, opts)
}
