package codec

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

type withChan struct {
	Name string
	Done chan bool
	Work func()
}

type withAny struct {
	Name string
	Data any
}

func TestNotCopyableValuesAreClearErrors(t *testing.T) {
	w := newWorld("a", nil)
	for _, typ := range []reflect.Type{reflect.TypeFor[withChan](), reflect.TypeFor[withAny]()} {
		name := typ.Name()
		w.names[typ], w.types[name] = name, typ
	}
	var wg sync.WaitGroup
	cases := []struct {
		v    any
		want string
	}{
		{make(chan int), "mp: cannot send a value of type chan int: channels cannot be copied to another process (use an mp.Queue or an mp.Pipe)"},
		{func() {}, "mp: cannot send a value of type func(): functions cannot be copied to another process (pass data, and let the other process call its own functions)"},
		{unsafe.Pointer(nil), "mp: cannot send a value of type unsafe.Pointer: unsafe pointers cannot be copied to another process"},
		{withChan{Name: "x"}, "mp: cannot send a value of type withChan: .Done is a chan bool: channels cannot be copied to another process (use an mp.Queue or an mp.Pipe)"},
		{[]any{1, make(chan int)}, "mp: cannot send a value of type []any: [i] is a chan int: channels cannot"},
		{withAny{Data: []any{func() {}}}, "mp: cannot send a value of type withAny: .Data[i] is a func(): functions cannot"},
		{map[string]*withChan{}, "mp: cannot send a value of type map[string]*withChan: [key].Done is a chan bool"},
		{&wg, "mp: cannot send a value of type *sync.WaitGroup: its unexported fields cannot be copied (the type has no MarshalBinary or GobEncode method)"},
		{struct{ C chan int }{}, "mp: cannot send a value of type struct { C chan int }: .C is a chan int"},
		{struct{ p int }{}, "mp: cannot send a value of type struct { p int }: its unexported fields cannot be copied"},
		{Point{}, "mp: cannot send a value of type codec.Point: its type cannot be named in another process"}, // nil namer below
	}
	for _, c := range cases {
		opts := w.enc()
		if _, ok := c.v.(Point); ok {
			opts.Namer = nil
		}
		_, err := Encode(c.v, opts)
		var ue *UnsupportedError
		if !errors.As(err, &ue) {
			t.Errorf("%T: error %v is not an *UnsupportedError", c.v, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%T:\n got %s\nwant %s", c.v, err, c.want)
		}
	}
}

func TestErrorsTravelAsTheirMessage(t *testing.T) {
	w := newWorld("a", nil)
	w.names[reflect.TypeFor[struct{ Err error }]()] = "result"
	w.types["result"] = reflect.TypeFor[struct{ Err error }]()
	wrapped := fmt.Errorf("step 2: %w", errors.New("disk full"))
	got := roundTrip(t, wrapped, w, w)
	if err, ok := got.(error); !ok || err.Error() != "step 2: disk full" {
		t.Errorf("error came back as %#v", got)
	}
	r := roundTrip(t, struct{ Err error }{wrapped}, w, w).(struct{ Err error })
	if r.Err == nil || r.Err.Error() != wrapped.Error() {
		t.Errorf("error field came back as %v", r.Err)
	}
}

func TestMutexesArriveUnlocked(t *testing.T) {
	w := newWorld("a", nil)
	v := &WithMutex{N: 3}
	v.Mu.Lock()
	got := roundTrip(t, v, w, w).(*WithMutex)
	if got.N != 3 || !got.Mu.TryLock() {
		t.Error("a struct holding a locked mutex did not come back with an unlocked one")
	}
}

func TestLenientZeroesWhatCannotBeCopied(t *testing.T) {
	w := newWorld("a", nil)
	for _, typ := range []reflect.Type{reflect.TypeFor[withChan](), reflect.TypeFor[withAny]()} {
		w.names[typ], w.types[typ.Name()] = typ.Name(), typ
	}
	var zeroed []Zeroed
	opts := EncodeOptions{Namer: w, Lenient: true, Zeroed: func(z Zeroed) { zeroed = append(zeroed, z) }}
	ch := make(chan int)
	values := []reflect.Value{
		reflect.ValueOf(withChan{Name: "kept", Done: make(chan bool), Work: func() {}}),
		reflect.ValueOf(ch),
		reflect.ValueOf([]any{1, ch, "x"}),
		reflect.ValueOf(withAny{Name: "n", Data: []withChan{{Name: "inner"}}}),
		reflect.ValueOf(42),
	}
	b, err := EncodeValues(values, opts)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := DecodeValues(b, w.dec())
	if err != nil {
		t.Fatal(err)
	}
	if got := vs[0].Interface().(withChan); got.Name != "kept" || got.Done != nil || got.Work != nil {
		t.Errorf("struct: %+v", got)
	}
	if vs[1].IsValid() {
		t.Errorf("a channel came back as %v", vs[1])
	}
	if got := vs[2].Interface().([]any); got[0] != 1 || got[1] != nil || got[2] != "x" {
		t.Errorf("[]any: %v", got)
	}
	if got := vs[3].Interface().(withAny); got.Data.([]withChan)[0].Name != "inner" {
		t.Errorf("nested: %+v", got)
	}
	if vs[4].Interface() != 42 {
		t.Errorf("int: %v", vs[4])
	}
	want := []Zeroed{
		{0, ".Done", "chan bool", whyChan},
		{0, ".Work", "func()", whyFunc},
		{1, "", "chan int", whyChan},
		{2, "[i]", "chan int", whyChan},
		{3, ".Data[i].Done", "chan bool", whyChan},
		{3, ".Data[i].Work", "func()", whyFunc},
	}
	if !reflect.DeepEqual(zeroed, want) {
		t.Errorf("zeroed:\n got %+v\nwant %+v", zeroed, want)
	}
}
