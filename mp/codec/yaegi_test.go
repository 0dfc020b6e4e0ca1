package codec

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// session is a yaegi interpreter with a namer and resolver over it, the way
// mp.Host implements them: a declared type is resolved by evaluating
// (*T)(nil) and taking the element type of the value's type.
type session struct {
	t     *testing.T
	in    *interp.Interpreter
	names map[reflect.Type]string
	boxFn map[string]reflect.Value
}

func newSession(t *testing.T, src string, types ...string) *session {
	t.Helper()
	in := interp.New(interp.Options{})
	if err := in.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Eval(src); err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, in: in, names: map[reflect.Type]string{}, boxFn: map[string]reflect.Value{}}
	for _, name := range types {
		s.names[s.typeOf(name)] = name
	}
	return s
}

func (s *session) typeOf(name string) reflect.Type {
	v, err := s.in.Eval("*new(" + name + ")")
	if err != nil {
		s.t.Fatalf("resolving %s: %v", name, err)
	}
	return v.Type()
}

func (s *session) eval(src string) reflect.Value {
	s.t.Helper()
	v, err := s.in.Eval(src)
	if err != nil {
		s.t.Fatalf("%s: %v", src, err)
	}
	return v
}

func (s *session) TypeName(t reflect.Type) (string, bool) {
	if n, ok := s.names[t]; ok {
		return n, true
	}
	switch t.Kind() {
	case reflect.Slice:
		n, ok := s.TypeName(t.Elem())
		return "[]" + n, ok
	case reflect.Pointer:
		n, ok := s.TypeName(t.Elem())
		return "*" + n, ok
	}
	return t.String(), t.PkgPath() == "" && t.Name() != ""
}

func (s *session) ResolveType(name string) (t reflect.Type, err error) {
	defer func() {
		if r := recover(); r != nil { // yaegi's compiler panics on some input
			err = fmt.Errorf("%v", r)
		}
	}()
	// (*T)(nil) allocates nothing, whatever T is; *new(T) would allocate
	// a T, and a forged name could be a huge array type.
	v, err := s.in.Eval("(*" + name + ")(nil)")
	if err != nil {
		return nil, err
	}
	return v.Type().Elem(), nil
}

// BoxInterface boxes through a function of the session that returns the
// value as an interface with a method of its type: yaegi's box carries the
// value's own type, whichever interface made it.
func (s *session) BoxInterface(v reflect.Value, name string) (reflect.Value, error) {
	fn, ok := s.boxFn[name]
	if !ok {
		return reflect.Value{}, fmt.Errorf("no boxing function for %s", name)
	}
	return fn.Call([]reflect.Value{v})[0], nil
}

func (s *session) enc() EncodeOptions { return EncodeOptions{Namer: s} }
func (s *session) dec() DecodeOptions { return DecodeOptions{Resolver: s} }

const workerSrc = `
import "fmt"

type Worker struct {
	Name string
	id   int
}

func (w Worker) Describe() string { return fmt.Sprintf("%s #%d", w.Name, w.id) }

func describe(w Worker) string { return w.Describe() }

func describeAll(ws []Worker) string {
	s := ""
	for _, w := range ws {
		s += w.Describe() + ";"
	}
	return s
}

func describeAny(x any) string { return x.(Worker).Describe() }
`

func TestYaegiValuesKeepTheirMethodsInAnotherInterpreter(t *testing.T) {
	one := newSession(t, workerSrc, "Worker")
	two := newSession(t, workerSrc, "Worker")

	w := one.eval(`Worker{Name: "w1", id: 7}`)
	b, err := Encode(w.Interface(), one.enc())
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeValues(b, two.dec())
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Type() != two.typeOf("Worker") {
		t.Fatalf("came back as %s", got[0].Type())
	}
	out := two.eval("describe").Call(got)[0].String()
	if out != "w1 #7" {
		t.Errorf("the method called in the second interpreter gave %q", out)
	}
	// As an any (a queue's Get), type-asserted by the interpreter.
	if out := two.eval("describeAny").Call(got)[0].String(); out != "w1 #7" {
		t.Errorf("describeAny: %q", out)
	}

	ws := one.eval(`[]Worker{{Name: "a", id: 1}, {Name: "b", id: 2}}`)
	b, err = Encode(ws.Interface(), one.enc())
	if err != nil {
		t.Fatal(err)
	}
	got, err = DecodeValues(b, two.dec())
	if err != nil {
		t.Fatal(err)
	}
	if out := two.eval("describeAll").Call(got)[0].String(); out != "a #1;b #2;" {
		t.Errorf("describeAll: %q", out)
	}
}

func TestYaegiRedeclaredTypeMatchesByName(t *testing.T) {
	one := newSession(t, workerSrc, "Worker")
	// The receiver's Worker was declared differently (the notebook changed
	// it after the child started): other order, one more field.
	three := newSession(t, strings.Replace(workerSrc, "Name string\n\tid   int", "id int; Extra bool; Name string", 1), "Worker")
	if one.typeOf("Worker") == three.typeOf("Worker") {
		t.Fatal("same type: test proves nothing")
	}
	b, err := Encode(one.eval(`Worker{Name: "w1", id: 7}`).Interface(), one.enc())
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeValues(b, three.dec())
	if err != nil {
		t.Fatal(err)
	}
	if out := three.eval("describe").Call(got)[0].String(); out != "w1 #7" {
		t.Errorf("describe: %q", out)
	}
}

const nodeSrc = `
type Node struct {
	V    int
	Next *Node
	Kids []Node
}

func ring() *Node {
	a := &Node{V: 1}
	a.Next = &Node{V: 2, Next: a, Kids: []Node{{V: 3}}}
	return a
}

func check(n *Node) bool { return n.V == 1 && n.Next.V == 2 && n.Next.Next == n && n.Next.Kids[0].V == 3 }
`

func TestYaegiRecursiveTypes(t *testing.T) {
	one := newSession(t, nodeSrc, "Node")
	two := newSession(t, nodeSrc, "Node")
	r := one.eval("ring").Call(nil)[0]
	b, err := Encode(r.Interface(), one.enc())
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeValues(b, two.dec())
	if err != nil {
		t.Fatal(err)
	}
	if !two.eval("check").Call(got)[0].Bool() {
		t.Error("the ring came back broken")
	}
}

const shapeSrc = `
type Shape interface{ Area() float64 }

type Square struct{ Side float64 }

func (s Square) Area() float64 { return s.Side * s.Side }

type Meters float64

func (m Meters) Area() float64 { return float64(m) }

type Holder struct {
	Name  string
	S     Shape
	A     any
	Done  chan bool
}

func holder() Holder { return Holder{Name: "h", S: Square{3}, A: Meters(2), Done: make(chan bool)} }

func area(h Holder) float64 { return h.S.Area() + h.A.(Meters).Area() }

func boxSquare(s Square) interface{ Area() float64 } { return s }
func boxMeters(m Meters) interface{ Area() float64 } { return m }
`

func TestYaegiInterfaceFieldsAreBoxedAgain(t *testing.T) {
	one := newSession(t, shapeSrc, "Square", "Holder")
	two := newSession(t, shapeSrc, "Square", "Holder")
	two.boxFn["Square"] = two.eval("boxSquare")
	// Meters is a float64 to reflect: its name is lost (the namer cannot
	// tell it from float64), so the receiver's boxer gets "".
	two.boxFn[""] = two.eval("boxMeters")

	h := one.eval("holder").Call(nil)[0]
	if _, err := Encode(h.Interface(), one.enc()); err == nil {
		t.Fatal("a Holder with a channel was sent")
	}
	var zeroed []Zeroed
	opts := one.enc()
	opts.Lenient, opts.Zeroed = true, func(z Zeroed) { zeroed = append(zeroed, z) }
	b, err := Encode(h.Interface(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(zeroed) != 1 || zeroed[0].Path != ".XDone" && zeroed[0].Path != ".Done" {
		t.Errorf("zeroed: %+v", zeroed)
	}
	got, err := DecodeValues(b, two.dec())
	if err != nil {
		t.Fatal(err)
	}
	if a := two.eval("area").Call(got)[0].Float(); a != 11 {
		t.Errorf("area in the second interpreter: %v", a)
	}
	// Without a boxer the field of interface type cannot be filled.
	_, err = DecodeValues(b, DecodeOptions{Resolver: struct{ TypeResolver }{two}})
	if err == nil || !strings.Contains(err.Error(), "InterfaceBoxer") {
		t.Errorf("without a boxer: %v", err)
	}
}

func TestYaegiGlobalOfInterfaceType(t *testing.T) {
	src := shapeSrc + "\nvar global Shape = Square{2}\n\nfunc areaOf(s Shape) float64 { return s.Area() }\n"
	one := newSession(t, src, "Square")
	two := newSession(t, src, "Square")
	two.boxFn["Square"] = two.eval("boxSquare")
	// What the host's Snapshot has for a global: its reflect.Value, here a
	// box (the variable's type is a cell-declared interface).
	g := one.eval("global")
	b, err := EncodeValues([]reflect.Value{g}, one.enc())
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeValues(b, two.dec())
	if err != nil {
		t.Fatal(err)
	}
	want := two.eval("global").Type()
	if got[0].Type() != want {
		t.Fatalf("came back as %s, the global is a %s", got[0].Type(), want)
	}
	area := two.eval("areaOf")
	if a := area.Call(got)[0].Float(); a != 4 {
		t.Errorf("area: %v", a)
	}
}
