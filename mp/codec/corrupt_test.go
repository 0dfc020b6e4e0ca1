package codec

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// sampleMessages are messages of every kind, for truncation, corruption and
// the fuzzer's seed corpus.
func sampleMessages(t testing.TB) [][]byte {
	a, _ := twoWorlds()
	w := a
	w.names[reflect.TypeFor[node]()], w.types["node"] = "node", reflect.TypeFor[node]()
	w.names[reflect.TypeFor[job]()], w.types["job"] = "job", reflect.TypeFor[job]()
	ring := &node{V: 1}
	ring.Next = &node{V: 2, Next: ring, Any: []any{ring, "x"}}
	p := build(a, "Point2", 1, 2)
	worker := build(a, "Worker", "w", 3, p.Interface(), nil, nil)
	m := map[string]any{"a": 1}
	m["m"] = m
	values := []any{
		nil, 1, -300, "str", []byte("bytes"), 2.5, true, int8(-1), uint16(9), complex64(1i),
		[]int{1, 2, 3}, []string{"a", "b"}, []float64{1}, [2]uint8{1, 2}, map[string]int{"a": 1},
		[]any{1, "a", nil, 2.5, []any{}}, m, ring, worker.Interface(), []any{worker.Interface(), p.Interface()},
		time.Unix(1e9, 0).UTC(), 5 * time.Second, job{Name: "j", Results: &Queue{ID: 1}},
		errors.New("boom"), Point{1, 2}, &Tree{Value: 1, Left: &Tree{}},
		struct{ A []struct{ B map[int]string } }{},
	}
	var msgs [][]byte
	for _, v := range values {
		b, err := Encode(v, w.enc())
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		msgs = append(msgs, b)
	}
	b, err := EncodeValues([]reflect.Value{reflect.ValueOf(1), reflect.ValueOf(p.Interface()), reflect.ValueOf(ring)}, w.enc())
	if err != nil {
		t.Fatal(err)
	}
	return append(msgs, b)
}

// receiverOptions decode the sample messages (built once: the fuzzer calls
// it for every input).
var receiverOptions = sync.OnceValue(func() DecodeOptions {
	_, b := twoWorlds()
	b.names[reflect.TypeFor[node]()], b.types["node"] = "node", reflect.TypeFor[node]()
	b.names[reflect.TypeFor[job]()], b.types["job"] = "job", reflect.TypeFor[job]()
	return DecodeOptions{Resolver: b, Shared: queues{0: {}, 1: {ID: 1}}}
})

// decodeAnything decodes data as a receiver would, and fails the test if
// decoding panicked (the decoder turns its own panics into errors, which
// hides them, so they are looked for here).
func decodeAnything(t testing.TB, data []byte) {
	opts := receiverOptions()
	if _, err := DecodeValues(data, opts); err != nil && strings.Contains(err.Error(), "decoding panicked") {
		t.Fatalf("% x: %v", data, err)
	}
	if _, err := Decode(data, opts); err != nil && strings.Contains(err.Error(), "decoding panicked") {
		t.Fatalf("% x: %v", data, err)
	}
}

func TestTruncatedMessagesAreErrors(t *testing.T) {
	for _, msg := range sampleMessages(t) {
		for n := range len(msg) {
			_, err := DecodeValues(msg[:n], receiverOptions())
			if err == nil {
				t.Errorf("% x cut to %d bytes decoded without error", msg, n)
			}
			decodeAnything(t, msg[:n])
		}
		if _, err := DecodeValues(msg, receiverOptions()); err != nil {
			t.Errorf("% x: %v", msg, err)
		}
		if _, err := DecodeValues(append(bytes.Clone(msg), 0), receiverOptions()); !errors.Is(err, ErrCorrupt) {
			t.Errorf("% x with a stray byte: %v", msg, err)
		}
	}
}

func TestCorruptedMessagesNeverPanic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, msg := range sampleMessages(t) {
		for range 300 {
			b := bytes.Clone(msg)
			for range 1 + r.IntN(3) {
				i := r.IntN(len(b))
				switch r.IntN(3) {
				case 0:
					b[i] = byte(r.Uint32())
				case 1:
					b[i] ^= 1 << r.IntN(8)
				default:
					b = append(b[:i], b[i+1:]...)
				}
				if len(b) == 0 {
					break
				}
			}
			decodeAnything(t, b)
		}
	}
}

func TestHugeLengthsDoNotAllocate(t *testing.T) {
	const tb = 1 << 40
	huge := appendUvarint(nil, tb)
	msgs := map[string][]byte{
		"string":       append([]byte{magic, 1, kString}, huge...),
		"bytes":        append([]byte{magic, 1, kBytes}, huge...),
		"count":        append([]byte{magic}, huge...),
		"[]int":        append([]byte{magic, 1, kNewShape, 2, kSlice, kInt}, huge...),
		"[]string":     append([]byte{magic, 1, kNewShape, 2, kSlice, kString}, huge...),
		"[]struct{}":   append([]byte{magic, 1, kNewShape, 3, kSlice, kStruct, 0}, huge...),
		"[]struct{}+1": append(append([]byte{magic, 1, kNewShape, 3, kSlice, kStruct, 0}, appendUvarint(nil, 1<<31+2)...), 0),
		"map":          append([]byte{magic, 1, kNewShape, 3, kMap, kInt, kInt, refNew}, huge...),
		"[2^40]int": append(append(append([]byte{magic, 1, kNewShape, 8, kArray}, huge...), kInt),
			1, 2, 3),
		"[]any": append([]byte{magic, 1, kNewShape, 3, kSlice, kIface, ifaceAny}, huge...),
	}
	for name, msg := range msgs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := DecodeValues(msg, DecodeOptions{})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "elements") && !strings.Contains(err.Error(), "bytes") {
			t.Errorf("%s: %v", name, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("%s: allocated %d bytes", name, grew)
		}
	}
}

func TestNotAMessage(t *testing.T) {
	for _, b := range [][]byte{nil, {}, {magic}, []byte("hello"), {0xC2, 1, kInt, 2}} {
		if _, err := Decode(b, DecodeOptions{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("% x: %v", b, err)
		}
	}
	_, err := Decode([]byte{0xC2, 1, kInt, 2}, DecodeOptions{})
	if err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("version: %v", err)
	}
}
