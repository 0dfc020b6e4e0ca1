package codec

import (
	"reflect"
	"testing"
)

// Figures for the queue's budget: CPython's multiprocessing.Queue moves
// about 200k small ints and 20k 1-KiB byte slices per second end to end, so
// the codec's share must be a small fraction of 5 µs and 50 µs.

func benchEncode(b *testing.B, v any, opts EncodeOptions) {
	buf, err := Encode(v, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AppendEncode(buf[:0], v, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDecode(b *testing.B, v any, eo EncodeOptions, do DecodeOptions) {
	buf, err := Encode(v, eo)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(buf, do); err != nil {
			b.Fatal(err)
		}
	}
}

func benchWorld() (*world, reflect.Value, reflect.Value) {
	w := newWorld("a", map[string][]reflect.StructField{"Worker": {
		{Name: "Name", Type: reflect.TypeFor[string]()},
		{Name: "Xid", Type: reflect.TypeFor[int]()},
		{Name: "Score", Type: reflect.TypeFor[float64]()},
		{Name: "Tags", Type: reflect.TypeFor[[]string]()},
	}})
	one := build(w, "Worker", "worker-1", 42, 0.5, []string{"a", "b"})
	many := reflect.MakeSlice(reflect.SliceOf(one.Type()), 100, 100)
	for i := range 100 {
		many.Index(i).Set(build(w, "Worker", "worker", i, float64(i), []string{"t"}))
	}
	return w, one, many
}

func BenchmarkEncodeInt(b *testing.B)    { benchEncode(b, 123456, EncodeOptions{}) }
func BenchmarkDecodeInt(b *testing.B)    { benchDecode(b, 123456, EncodeOptions{}, DecodeOptions{}) }
func BenchmarkEncodeString(b *testing.B) { benchEncode(b, "a short string", EncodeOptions{}) }
func BenchmarkDecodeString(b *testing.B) {
	benchDecode(b, "a short string", EncodeOptions{}, DecodeOptions{})
}
func BenchmarkEncodeBytes1K(b *testing.B) { benchEncode(b, make([]byte, 1024), EncodeOptions{}) }
func BenchmarkDecodeBytes1K(b *testing.B) {
	benchDecode(b, make([]byte, 1024), EncodeOptions{}, DecodeOptions{})
}
func BenchmarkEncodeIntSlice100(b *testing.B) { benchEncode(b, make([]int, 100), EncodeOptions{}) }
func BenchmarkDecodeIntSlice100(b *testing.B) {
	benchDecode(b, make([]int, 100), EncodeOptions{}, DecodeOptions{})
}

func BenchmarkEncodeStruct(b *testing.B) {
	w, one, _ := benchWorld()
	benchEncode(b, one.Interface(), w.enc())
}

func BenchmarkDecodeStruct(b *testing.B) {
	w, one, _ := benchWorld()
	benchDecode(b, one.Interface(), w.enc(), w.dec())
}

func BenchmarkEncodeSliceOfStructs(b *testing.B) {
	w, _, many := benchWorld()
	benchEncode(b, many.Interface(), w.enc())
}

func BenchmarkDecodeSliceOfStructs(b *testing.B) {
	w, _, many := benchWorld()
	benchDecode(b, many.Interface(), w.enc(), w.dec())
}

func BenchmarkEncodeMapStringAny(b *testing.B) {
	benchEncode(b, map[string]any{"a": 1, "b": "two", "c": []int{3}}, EncodeOptions{})
}

func BenchmarkDecodeMapStringAny(b *testing.B) {
	benchDecode(b, map[string]any{"a": 1, "b": "two", "c": []int{3}}, EncodeOptions{}, DecodeOptions{})
}
