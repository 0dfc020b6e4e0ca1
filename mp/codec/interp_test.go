package codec

import (
	"reflect"
	"testing"
)

// Two worlds with the same declarations, as two interpreters would have:
// the same source gives different reflect.Types (here through a tag), and
// a value must come out with the receiving world's type.
func sessionDecls() map[string][]reflect.StructField {
	return map[string][]reflect.StructField{
		"Point2": {
			{Name: "X", Type: reflect.TypeFor[int]()},
			{Name: "Xy", Type: reflect.TypeFor[int]()}, // yaegi's name for an unexported y
		},
	}
}

func workerDecls(fields ...reflect.StructField) map[string][]reflect.StructField {
	d := sessionDecls()
	d["Worker"] = fields
	return d
}

var (
	fName = reflect.StructField{Name: "Name", Type: reflect.TypeFor[string]()}
	fID   = reflect.StructField{Name: "Xid", Type: reflect.TypeFor[int]()}
	fData = reflect.StructField{Name: "Data", Type: reflect.TypeFor[any]()}
	fP    = reflect.StructField{Name: "P", Type: reflect.TypeFor[*refPoint]()}
	fPts  = reflect.StructField{Name: "Pts", Type: reflect.TypeFor[[]refPoint]()}
)

func twoWorlds() (a, b *world) {
	decls := workerDecls(fName, fID, fData, fP, fPts)
	return newWorld("a", decls), newWorld("b", decls)
}

// build makes a value of a world's type from field values in order.
func build(w *world, name string, fields ...any) reflect.Value {
	v := reflect.New(w.types[name]).Elem()
	for i, f := range fields {
		if f != nil {
			v.Field(i).Set(reflect.ValueOf(f))
		}
	}
	return v
}

func TestSessionTypesComeBackAsTheReceiversTypes(t *testing.T) {
	a, b := twoWorlds()
	if a.types["Worker"] == b.types["Worker"] {
		t.Fatal("the two worlds share a type; the test would prove nothing")
	}
	pa := build(a, "Point2", 1, 2)
	pptr := reflect.New(pa.Type())
	pptr.Elem().Set(build(a, "Point2", 3, 4))
	pts := reflect.MakeSlice(reflect.SliceOf(pa.Type()), 0, 2)
	pts = reflect.Append(pts, build(a, "Point2", 5, 6))
	wa := build(a, "Worker", "w1", 7, pa.Interface(), pptr.Interface(), pts.Interface())

	got := reflect.ValueOf(roundTrip(t, wa.Interface(), a, b))
	if got.Type() != b.types["Worker"] {
		t.Fatalf("came back as %s, want world b's Worker", got.Type())
	}
	if got.Field(0).String() != "w1" || got.Field(1).Int() != 7 {
		t.Errorf("fields: %v", got)
	}
	data := got.Field(2).Elem()
	if data.Type() != b.types["Point2"] || data.Field(0).Int() != 1 || data.Field(1).Int() != 2 {
		t.Errorf("Data (any holding a Point2) came back as %s %v", data.Type(), data)
	}
	if p := got.Field(3); p.Type().Elem() != b.types["Point2"] || p.Elem().Field(0).Int() != 3 {
		t.Errorf("P came back as %s %v", p.Type(), p)
	}
	if s := got.Field(4); s.Type().Elem() != b.types["Point2"] || s.Len() != 1 || s.Index(0).Field(1).Int() != 6 {
		t.Errorf("Pts came back as %s %v", s.Type(), s)
	}

	// Composite types are named as a whole ("[]Worker") and resolved so.
	ws := reflect.MakeSlice(reflect.SliceOf(wa.Type()), 2, 2)
	ws.Index(0).Set(wa)
	gotSlice := reflect.ValueOf(roundTrip(t, ws.Interface(), a, b))
	if gotSlice.Type() != reflect.SliceOf(b.types["Worker"]) || gotSlice.Index(0).Field(0).String() != "w1" {
		t.Errorf("[]Worker came back as %s", gotSlice.Type())
	}
	m := reflect.MakeMap(reflect.MapOf(reflect.TypeFor[string](), pptr.Type()))
	m.SetMapIndex(reflect.ValueOf("k"), pptr)
	gotMap := reflect.ValueOf(roundTrip(t, m.Interface(), a, b))
	if gotMap.Type() != reflect.MapOf(reflect.TypeFor[string](), reflect.PointerTo(b.types["Point2"])) {
		t.Errorf("map[string]*Point2 came back as %s", gotMap.Type())
	}
	// Inside an []any each element names its own type.
	gotAny := roundTrip(t, []any{pa.Interface(), wa.Interface(), 3}, a, b).([]any)
	if reflect.TypeOf(gotAny[0]) != b.types["Point2"] || reflect.TypeOf(gotAny[1]) != b.types["Worker"] {
		t.Errorf("[]any elements came back as %T, %T", gotAny[0], gotAny[1])
	}
}

func TestTypeNamesAreSentOncePerMessage(t *testing.T) {
	a, b := twoWorlds()
	elems := make([]any, 100)
	for i := range elems {
		elems[i] = build(a, "Point2", i, i).Interface()
	}
	enc, err := Encode(elems, a.enc())
	if err != nil {
		t.Fatal(err)
	}
	one, _ := Encode(elems[:1], a.enc())
	// 99 more points of 2 small ints and a one-byte type reference each.
	if per := (len(enc) - len(one)) / 99; per > 4 {
		t.Errorf("%d bytes per extra element: names or shapes are repeated", per)
	}
	b.calls = 0
	if _, err := Decode(enc, b.dec()); err != nil {
		t.Fatal(err)
	}
	if b.calls != 1 {
		t.Errorf("ResolveType called %d times for one type", b.calls)
	}
}

func TestLayoutChangesMatchFieldsByName(t *testing.T) {
	a := newWorld("a", workerDecls(fName, fID, fData, fP, fPts))
	// The receiver's Worker was declared differently: fields reordered,
	// one dropped (Pts), one added (Extra), one narrowed (Xid int32).
	c := newWorld("c", workerDecls(
		reflect.StructField{Name: "Extra", Type: reflect.TypeFor[bool]()},
		reflect.StructField{Name: "Xid", Type: reflect.TypeFor[int32]()},
		fP, fName, fData,
	))
	pts := reflect.MakeSlice(reflect.SliceOf(a.types["Point2"]), 1, 1)
	wa := build(a, "Worker", "w", 9, "data", nil, pts.Interface())
	got := reflect.ValueOf(roundTrip(t, wa.Interface(), a, c))
	if got.Type() != c.types["Worker"] {
		t.Fatalf("came back as %s", got.Type())
	}
	if got.FieldByName("Name").String() != "w" || got.FieldByName("Xid").Int() != 9 ||
		got.FieldByName("Extra").Bool() || got.FieldByName("Data").Interface() != "data" {
		t.Errorf("fields matched wrongly: %+v", got)
	}

	// A value that does not fit the receiver's field is an error that says where.
	big := build(a, "Worker", "w", 1<<40, nil, nil, nil)
	enc, _ := Encode(big.Interface(), a.enc())
	if _, err := Decode(enc, c.dec()); err == nil {
		t.Error("an int too large for the receiver's int32 field was accepted")
	}
	d := newWorld("d", workerDecls(reflect.StructField{Name: "Name", Type: reflect.TypeFor[int]()}))
	_, err := Decode(enc, d.dec())
	if err == nil || err.Error() != "mp: cannot receive a value of type Worker: .Name: string was sent where this process has int" {
		t.Errorf("kind change: %v", err)
	}
}

func TestUnnamedStructsAreRebuilt(t *testing.T) {
	// An anonymous struct type (the interpreter's too) that the namer
	// cannot name travels by its shape and is rebuilt with StructOf: the
	// very type the interpreter uses.
	type anon = struct {
		A  int
		Xb []string `tag:"t"`
	}
	v := []anon{{1, []string{"x"}}}
	b, err := Encode(v, EncodeOptions{Namer: &world{}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, v) {
		t.Errorf("%#v came back as %#v", v, got)
	}
}
