package codec

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

// roundTrip encodes v in one world and decodes it in another.
func roundTrip(t *testing.T, v any, from, to *world) any {
	t.Helper()
	b, err := Encode(v, from.enc())
	if err != nil {
		t.Fatalf("Encode(%#v): %v", v, err)
	}
	got, err := Decode(b, to.dec())
	if err != nil {
		t.Fatalf("Decode(Encode(%#v)): %v", v, err)
	}
	return got
}

func TestRoundTripKinds(t *testing.T) {
	w := newWorld("a", nil)
	i := 42
	when := time.Date(2024, 3, 1, 12, 30, 0, 123, time.UTC)
	values := []any{
		nil, true, false,
		0, 1, -1, math.MaxInt, math.MinInt,
		int8(math.MinInt8), int8(math.MaxInt8), int16(-300), int32(math.MinInt32), int64(math.MaxInt64),
		uint(math.MaxUint), uint8(255), uint16(65535), uint32(math.MaxUint32), uint64(math.MaxUint64), uintptr(7),
		float32(1.5), float32(math.Inf(-1)), 0.1, math.Inf(1), math.Copysign(0, -1), math.MaxFloat64,
		complex64(1 + 2i), complex(3.5, -1e300),
		"", "héllo, 世界", string([]byte{0xff, 0}),
		[]byte(nil), []byte{}, []byte("bytes"),
		[]int(nil), []int{}, []int{1, -2, 3}, []int64{math.MinInt64}, []float64{1.5, math.NaN()}, []string{"a", ""},
		[]bool{true, false}, []int32{-1}, []uint64{math.MaxUint64}, []uint16{1, 2},
		[3]int{1, 2, 3}, [0]int{}, [2][2]string{{"a", "b"}, {"c", "d"}}, [4]byte{1, 2, 3, 255},
		map[string]int(nil), map[string]int{}, map[string]int{"a": 1, "b": 2},
		map[int][]string{1: {"x"}, 2: nil}, map[[2]int]bool{{1, 2}: true},
		(*int)(nil), &i, []*int{&i, nil},
		[]any{1, "x", nil, []int{1}, map[string]any{"k": 2.5}},
		map[any]any{1: "a", "b": 2.5, [2]int{1, 2}: nil},
		map[string]any{"nested": map[string]any{"deep": []any{true}}},
		when, &when, []time.Time{when, {}}, 3 * time.Second, time.March,
		Point{1, 2}, &Point{3, 4}, []Point{{1, 2}}, map[string]Point{"p": {5, 6}},
		Named{"a", "b"}, Named(nil),
		big.NewInt(0).Lsh(big.NewInt(1), 100),
		&Tree{Value: 1, Left: &Tree{Value: 2}, Right: &Tree{Value: 3, Left: &Tree{Value: 4}}},
		struct{ A, B int }{1, 2},
		[]struct {
			Name string `json:"name"`
			Tags []string
		}{{"x", []string{"t"}}},
		[]error{nil}, make([]struct{}, 1e6), []struct{ Z [0]int }{{}, {}},
	}
	for _, v := range values {
		t.Run(fmt.Sprintf("%T", v), func(t *testing.T) {
			got := roundTrip(t, v, w, w)
			if reflect.TypeOf(got) != reflect.TypeOf(v) {
				t.Fatalf("type %T came back as %T", v, got)
			}
			if !equal(got, v) {
				t.Fatalf("%#v came back as %#v", v, got)
			}
		})
	}
}

// equal is reflect.DeepEqual where NaN equals NaN, big.Ints compare by
// value and times by instant.
func equal(a, b any) bool {
	switch x := a.(type) {
	case *big.Int:
		return x.Cmp(b.(*big.Int)) == 0
	case time.Time:
		return x.Equal(b.(time.Time))
	case *time.Time:
		return x.Equal(*b.(*time.Time))
	case float64:
		y := b.(float64)
		return x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y)
	case []float64:
		y := b.([]float64)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case []time.Time:
		y := b.([]time.Time)
		return len(x) == len(y) && x[0].Equal(y[0]) && x[1].Equal(y[1])
	}
	return reflect.DeepEqual(a, b)
}

func TestPredeclaredNeedNoNamer(t *testing.T) {
	for _, v := range []any{1, "s", []int{1}, map[string][]float64{"a": {1}}, []any{1, "a"}, [2]bool{}, errors.New("e")} {
		b, err := Encode(v, EncodeOptions{})
		if err != nil {
			t.Fatalf("%T without a namer: %v", v, err)
		}
		got, err := Decode(b, DecodeOptions{})
		if err != nil {
			t.Fatalf("%T without a resolver: %v", v, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(v) {
			t.Fatalf("%v came back as %v", v, got)
		}
	}
}

func TestFastAndGeneralPathsAgree(t *testing.T) {
	for _, v := range []any{nil, 0, -7, 1 << 40, int64(-5), int32(9), uint(3), uint64(1 << 63), 2.5, true, false, "", "str", []byte(nil), []byte{}, []byte("xyz")} {
		fast, err := Encode(v, EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		general, err := EncodeValues([]reflect.Value{reflect.ValueOf(v)}, EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if string(fast) != string(general) {
			t.Errorf("%#v: fast path % x, general % x", v, fast, general)
		}
		vs, err := DecodeValues(fast, DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(fast, DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if v == nil {
			if vs[0].IsValid() || got != nil {
				t.Errorf("nil came back as %v / %v", vs[0], got)
			}
			continue
		}
		if !reflect.DeepEqual(vs[0].Interface(), v) || !reflect.DeepEqual(got, v) {
			t.Errorf("%#v came back as %#v (general) and %#v (fast)", v, vs[0].Interface(), got)
		}
	}
}

func TestEncodeValues(t *testing.T) {
	w := newWorld("a", nil)
	var nilAny any
	args := []reflect.Value{
		reflect.ValueOf(1), reflect.ValueOf("two"), {}, reflect.ValueOf(&nilAny).Elem(),
		reflect.ValueOf(Point{1, 2}), reflect.ValueOf([]Point{{3, 4}}), reflect.ValueOf(Point{5, 6}),
	}
	b, err := EncodeValues(args, w.enc())
	if err != nil {
		t.Fatal(err)
	}
	w.calls = 0
	vs, err := DecodeValues(b, w.dec())
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != len(args) {
		t.Fatalf("%d values came back as %d", len(args), len(vs))
	}
	if vs[0].Interface() != 1 || vs[1].Interface() != "two" || vs[2].IsValid() || vs[3].IsValid() ||
		vs[4].Interface() != (Point{1, 2}) || vs[6].Interface() != (Point{5, 6}) {
		t.Fatalf("got %v", vs)
	}
	if w.calls != 2 { // Point and []Point, each once
		t.Errorf("ResolveType called %d times, want 2", w.calls)
	}
	if b, _ := EncodeValues(nil, EncodeOptions{}); len(b) != 2 {
		t.Errorf("no values: % x", b)
	}
	if _, err := Decode(b, w.dec()); err == nil {
		t.Error("Decode of a message of several values succeeded")
	}
}

func TestAppendEncodeReusesBuffer(t *testing.T) {
	buf := make([]byte, 0, 256)
	b, err := AppendEncode(buf[:0], Point{1, 2}, newWorld("a", nil).enc())
	if err != nil {
		t.Fatal(err)
	}
	if &b[0] != &buf[:1][0] {
		t.Error("AppendEncode did not use the buffer it was given")
	}
	b2, _ := AppendEncode([]byte("prefix"), 5, EncodeOptions{})
	if string(b2[:6]) != "prefix" {
		t.Errorf("prefix lost: %q", b2)
	}
}
