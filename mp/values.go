package mp

import (
	"reflect"
	"sync"

	"gomp/mp/codec"
)

// Values cross to a child through package codec, with the Host naming and
// resolving the notebook's types. These three functions are the only
// place mp calls it for a Process.

// encodeStrict encodes values that must all be copied (a target's receiver,
// its arguments): one that cannot be is an error, which says what it is.
func encodeStrict(h Host, vs []reflect.Value) ([]byte, error) {
	return encodeCounted(vs, codec.EncodeOptions{Namer: h})
}

// encodeLenient encodes global variables: what cannot be copied (a
// channel, a func, a field of one of those kinds) arrives as its zero value.
func encodeLenient(h Host, vs []reflect.Value) ([]byte, error) {
	return encodeCounted(vs, codec.EncodeOptions{Namer: h, Lenient: true})
}

// copyable tells why v cannot be sent (nil if it can), without sending it:
// how a failed message finds which of its values was the culprit.
func copyable(h Host, v reflect.Value) error {
	_, err := codec.EncodeValues([]reflect.Value{v}, codec.EncodeOptions{Namer: h})
	return err
}

// encodeCounted encodes values and, when that succeeded, counts the copies
// of pipe ends the message carries (a message that failed half-way carries
// none). The shared objects it carries are lent to children: this process
// keeps its handles on them while any child it started runs, since it
// cannot know when (or by how many processes: a pool's initializer
// arguments, a retried task) the message is decoded.
func encodeCounted(vs []reflect.Value, opts codec.EncodeOptions) ([]byte, error) {
	var t transit
	opts.Shared = t.add
	b, err := codec.EncodeValues(vs, opts)
	if err == nil {
		t.count(1)
		lendToChildren(t.kept)
	}
	return b, err
}

// lent are the handles of objects sent to children, kept while any child
// this process started runs (running counts them).
var lent struct {
	mu      sync.Mutex
	handles map[codec.Shared]struct{}
	running int
}

func lendToChildren(hs []codec.Shared) {
	if len(hs) == 0 {
		return
	}
	lent.mu.Lock()
	if lent.handles == nil {
		lent.handles = map[codec.Shared]struct{}{}
	}
	for _, h := range hs {
		lent.handles[h] = struct{}{}
	}
	lent.mu.Unlock()
}

// childBegun and childEnded count the children that run (given a start
// order); the last to end gives back what was lent, and every end sweeps
// the objects whose holders may have died with it.
func childBegun() {
	lent.mu.Lock()
	lent.running++
	lent.mu.Unlock()
}

func childEnded() {
	lent.mu.Lock()
	if lent.running--; lent.running <= 0 {
		lent.running, lent.handles = 0, nil
	}
	lent.mu.Unlock()
	sweepLetGo()
}

// decodeValues decodes in this process; an invalid Value stands for nil or
// for a value that was not copied (its receiver takes the zero value).
func decodeValues(h Host, data []byte) ([]reflect.Value, error) {
	return codec.DecodeValues(data, codec.DecodeOptions{Resolver: h, Shared: sharedResolver{}})
}
