package typefmt

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Compiled types of the shapes cells declare (no two of the same shape: an
// interpreter gives those one reflect type); the tests print them with fmt
// and their mirrors with a Printer, and want the same text.
type point struct{ x, y int }

type Pub struct {
	X, Y int
	Name string
}

type named struct {
	name string
	p    point
	ps   []point
	m    map[string]point
	any  any
	Pt   *point
}

type celsius struct{ deg float64 }

func (c celsius) String() string { return fmt.Sprintf("%.1f°C", c.deg) }

type temps struct {
	Hot  celsius
	cold celsius // unexported: fmt does not call its String
	d    time.Duration
	D    time.Duration
}

type myErr struct{ code int }

func (e *myErr) Error() string { return fmt.Sprintf("code %d", e.code) }

type both struct{ b int }

func (b both) String() string   { return "S" }
func (b both) GoString() string { return "GS" }

type formatted struct{ f int }

func (f formatted) Format(s fmt.State, verb rune) {
	w, wok := s.Width()
	pr, pok := s.Precision()
	fmt.Fprintf(s, "F[%c %d %v %d %v %v%v%v%v%v]", verb, w, wok, pr, pok, s.Flag('-'), s.Flag('+'), s.Flag('#'), s.Flag(' '), s.Flag('0'))
}

type panicky struct{ p int }

func (p panicky) String() string { panic("boom") }

type nilSafe struct{ s int }

func (p *nilSafe) String() string { return fmt.Sprint(p.s) }

type embeds struct {
	point
	Pub
	tags string `note:"t"`
}

type withFunc struct {
	f  func(point) point
	ch chan point
}

type keyed struct{ a, b int }

var (
	ptrRE  = regexp.MustCompile(`0x[0-9a-f]+`)
	addrRE = regexp.MustCompile(`(0x)?[0-9a-fA-F]{9,}`)

	longNumber = regexp.MustCompile(`[0-9]{5}`)
)

func values() []any {
	p := point{1, 2}
	return []any{
		p, &p, []point{{1, 2}, {3, 4}}, []*point{nil}, [2]point{}, map[string]point{"b": {3, 4}, "a": {1, 2}},
		map[point]string{{2, 1}: "x", {1, 9}: "y"}, map[keyed]int{{2, 1}: 1, {1, 2}: 2},
		Pub{1, 2, "n"}, &Pub{}, named{"n", p, []point{p}, map[string]point{"k": p}, p, &p},
		named{}, celsius{21.5}, &celsius{3}, temps{celsius{1}, celsius{2}, time.Second, time.Second},
		[]celsius{{1}}, map[celsius]int{{1}: 1}, &myErr{3}, myErr{4}, []error{&myErr{5}, nil},
		both{1}, []both{{1}}, formatted{1}, []formatted{{1}}, panicky{1}, []panicky{{1}},
		(*nilSafe)(nil), &nilSafe{2}, embeds{p, Pub{3, 4, "q"}, "t"}, []any{p, 1, "s", nil, &p},
		map[string]any{"p": p, "n": nil, "i": 3}, withFunc{}, (*point)(nil), []point(nil),
		map[string]point(nil), struct{ P point }{p}, struct {
			p point
			q *point
		}{p, nil},
		[]map[string][]point{{"x": {p}}}, 3, "str", []byte("hi"), nil, 2.5, true, [3]int{1, 2, 3},
		time.Duration(5), errors.New("plain"),
	}
}

var verbs = []string{
	"%v", "%+v", "%#v", "%T", "%s", "%d", "%q", "%x", "%X", "%5v", "%-8v", "%08.3v", "%+d", "% x",
	"%#x", "%.1v", "%t", "%p"[:0] + "%6.2f", "%c", "%U", "%e", "%10T", "%-12T|", "%.3T", "%#q", "%o", "%b",
}

func TestPrintfMatchesFmt(t *testing.T) {
	m := newMirrors()
	pr := New(m, io.Discard)
	for _, x := range values() {
		for _, verb := range verbs {
			want := fmt.Sprintf(verb, x)
			if hasDeepPointer(x) && !strings.Contains(want, "0x") {
				// A mirror's pointers point at copies: their numbers differ.
				continue
			}
			got := pr.Sprintf(verb, m.mirror(x))
			if strings.Contains(want, "0x") {
				want, got = ptrRE.ReplaceAllString(want, "0xP"), ptrRE.ReplaceAllString(got, "0xP")
			}
			if got != want {
				t.Errorf("Sprintf(%q, %#v):\n got %q\nwant %q", verb, x, got, want)
			}
		}
	}
}

// The mirrors alone, printed by fmt, show what the Printer has to fix.
func TestMirrorsDifferWithoutDescriber(t *testing.T) {
	m := newMirrors()
	got := fmt.Sprintf("%+v %T", m.mirror(point{1, 2}), m.mirror(point{1, 2}))
	if want := "{Xx:1 Xy:2} struct { Xx int; Xy int }"; got != want {
		t.Fatalf("fmt of a mirror = %q, want %q", got, want)
	}
	pr := New(m, io.Discard)
	if got, want := pr.Sprintf("%+v %T", m.mirror(point{1, 2}), m.mirror(point{1, 2})), "{x:1 y:2} typefmt.point"; got != want {
		t.Fatalf("Printer = %q, want %q", got, want)
	}
}

func TestPrintAndPrintln(t *testing.T) {
	m := newMirrors()
	pr := New(m, io.Discard)
	vs := values()
	for i := range vs {
		for j := range vs {
			a, b := vs[i], vs[j]
			for _, args := range [][]any{{a, b}, {"s", a, b, "t"}, {a, "x", b}} {
				margs := make([]any, len(args))
				for k, x := range args {
					margs[k] = m.mirror(x)
				}
				check := func(name, want, got string) {
					want, got = ptrRE.ReplaceAllString(want, "0xP"), ptrRE.ReplaceAllString(got, "0xP")
					if got != want {
						t.Fatalf("%s(%#v):\n got %q\nwant %q", name, args, got, want)
					}
				}
				check("Sprint", fmt.Sprint(args...), pr.Sprint(margs...))
				check("Sprintln", fmt.Sprintln(args...), pr.Sprintln(margs...))
			}
		}
	}
}

func TestFormatDirectives(t *testing.T) {
	m := newMirrors()
	pr := New(m, io.Discard)
	p := point{1, 2}
	cases := []struct {
		format string
		args   []any
	}{
		{"%[2]v %[1]v", []any{p, "x"}},
		{"%[3]v", []any{p}},
		{"%*v|%-*v|", []any{6, p, 4, p}},
		{"%*v", []any{-6, p}},
		{"%*v", []any{p, p}},
		{"%.*v", []any{2, 3.14159}},
		{"%.*v", []any{p, 3.1}},
		{"%v %v", []any{p}},
		{"%v", []any{p, p, "extra", nil}},
		{"%[1]v %v", []any{p, p}},
		{"%!", []any{p}},
		{"%", []any{p}},
		{"100%%", []any{}},
		{"%z", []any{p}},
		{"%[0]v", []any{p}},
		{"%[x]v", []any{p}},
		{"%[2]*[1]d", []any{p, 5}},
		{"%[1]2d", []any{p}},
		{"%[1].2d", []any{p}},
		{"%w", []any{&myErr{1}}},
		{"%1000000000v", []any{p}},
		{"%.v", []any{p}},
		{"%-+# 0v", []any{p}},
		{"%v", []any{[]any{p, nil}}},
		{"%d", []any{nil}},
		{"%T", []any{nil}},
		{"%s", []any{map[string]point{}}},
		{"%#v", []any{map[string]point{}}},
		{"%v", []any{map[string]any{"a": &p}}},
	}
	for _, c := range cases {
		margs := make([]any, len(c.args))
		for k, x := range c.args {
			margs[k] = m.mirror(x)
		}
		want := ptrRE.ReplaceAllString(fmt.Sprintf(c.format, c.args...), "0xP")
		got := ptrRE.ReplaceAllString(pr.Sprintf(c.format, margs...), "0xP")
		if got != want {
			t.Errorf("Sprintf(%q, %v):\n got %q\nwant %q", c.format, c.args, got, want)
		}
	}
}

func TestErrorfWraps(t *testing.T) {
	m := newMirrors()
	pr := New(m, io.Discard)
	base := errors.New("base")
	other := errors.New("other")
	e1 := pr.Errorf("ctx %v: %w", m.mirror(point{1, 2}), base)
	if got, want := e1.Error(), "ctx {1 2}: base"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e1, base) || errors.Unwrap(e1) != base {
		t.Errorf("%%w did not wrap: Is=%v Unwrap=%v", errors.Is(e1, base), errors.Unwrap(e1))
	}
	e2 := pr.Errorf("%w and %w and %[1]w", base, other)
	if !errors.Is(e2, base) || !errors.Is(e2, other) {
		t.Errorf("two %%w: Is(base)=%v Is(other)=%v", errors.Is(e2, base), errors.Is(e2, other))
	}
	want2 := fmt.Errorf("%w and %w and %[1]w", base, other)
	if e2.Error() != want2.Error() || len(e2.(interface{ Unwrap() []error }).Unwrap()) != len(want2.(interface{ Unwrap() []error }).Unwrap()) {
		t.Errorf("two %%w: %q %v, fmt: %q %v", e2, e2.(interface{ Unwrap() []error }).Unwrap(), want2, want2.(interface{ Unwrap() []error }).Unwrap())
	}
	e4 := pr.Errorf("%[3]v %[1]w %[2]w %[1]w", base, other, m.mirror(point{1, 2}))
	want4 := fmt.Errorf("%[3]v %[1]w %[2]w %[1]w", base, other, point{1, 2})
	u4, ok := e4.(interface{ Unwrap() []error })
	if !ok || e4.Error() != want4.Error() || len(u4.Unwrap()) != 2 || u4.Unwrap()[0] != base || u4.Unwrap()[1] != other {
		t.Errorf("reordered %%w: %q, want %q wrapping [base other]", e4, want4)
	}
	if got, want := pr.Sprintf("%T %T", e1, e4), "*fmt.wrapError *fmt.wrapErrors"; got != want {
		t.Errorf("%%T of Errorf's errors = %q, want %q", got, want)
	}
	me := &myErr{7}
	in := m.stand(me)
	e3 := pr.Errorf("op: %w", in)
	if got := e3.Error(); got != "op: code 7" {
		t.Errorf("Error() = %q", got)
	}
	if u, ok := errors.Unwrap(e3).(standIn); !ok || u.IValue != in.(standIn).IValue {
		t.Errorf("%%w of a stand-in: Unwrap = %v", errors.Unwrap(e3))
	}
	var target standIn
	if !errors.As(e3, &target) || target.IValue != in.(standIn).IValue {
		t.Errorf("errors.As found no stand-in in %v", e3)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%T", "%s", "%q", "%d", "%10v"} {
		want := ptrRE.ReplaceAllString(fmt.Sprintf(verb, me), "P")
		got := ptrRE.ReplaceAllString(pr.Sprintf(verb, in), "P")
		if got != want {
			t.Errorf("Sprintf(%q) of a stand-in = %q, fmt of the original: %q", verb, got, want)
		}
	}
	for _, c := range []struct {
		format string
		args   []any
	}{{"no wrap %d", []any{3}}, {"%w", []any{nil}}, {"%w", []any{3}}, {"%v %w", []any{base, base}}} {
		want, got := fmt.Errorf(c.format, c.args...), pr.Errorf(c.format, c.args...)
		if want.Error() != got.Error() || fmt.Sprintf("%T", want) != pr.Sprintf("%T", got) || (errors.Unwrap(want) == nil) != (errors.Unwrap(got) == nil) {
			t.Errorf("Errorf(%q): got %q (%s), want %q (%T)", c.format, got, pr.Sprintf("%T", got), want, want)
		}
	}
	if got, want := pr.Sprintf("%#v", e1), fmt.Sprintf("%#v", fmt.Errorf("ctx {1 2}: %w", base)); ptrRE.ReplaceAllString(got, "P") != ptrRE.ReplaceAllString(want, "P") {
		t.Errorf("%%#v of an Errorf error = %q, fmt: %q", got, want)
	}
}

func TestPrintWritesStdout(t *testing.T) {
	var b strings.Builder
	m := newMirrors()
	pr := New(m, &b)
	pr.Print(m.mirror(point{1, 2}), "x")
	pr.Println(m.mirror(point{1, 2}))
	pr.Printf("%+v\n", m.mirror(point{1, 2}))
	if got, want := b.String(), "{1 2}x{1 2}\n{x:1 y:2}\n"; got != want {
		t.Fatalf("stdout = %q, want %q", got, want)
	}
	mp := m.mirror(point{1, 2})
	got := string(pr.Appendln(pr.Appendf(pr.Append([]byte("<"), mp, 3), "%+v", mp), mp))
	want := string(fmt.Appendln(fmt.Appendf(fmt.Append([]byte("<"), point{1, 2}, 3), "%+v", point{1, 2}), point{1, 2}))
	if got != want {
		t.Fatalf("Append* = %q, fmt: %q", got, want)
	}
}

func FuzzPrintfMatchesFmt(f *testing.F) {
	for _, s := range append(verbs, "%[2]*[1]d", "%-*.*v|%[1]v", "%!%[", "%.*[3]v", "a%%b%v%", "%[1]*v", "%0-9.3x %+q") {
		f.Add(s)
	}
	m := newMirrors()
	pr := New(m, io.Discard)
	p := point{1, 2}
	args := []any{p, 3, "s", []point{p}, celsius{1}, &myErr{2}, nil, map[string]point{"a": p}}
	margs := make([]any, len(args))
	for i, x := range args {
		margs[i] = m.mirror(x)
	}
	f.Fuzz(func(t *testing.T, format string) {
		if longNumber.MatchString(format) {
			return // a width of millions pads every leaf: slow, and nothing new
		}
		for n := 0; n <= len(args); n += 3 {
			// %p of a mirror is another address, in any base.
			want := addrRE.ReplaceAllString(fmt.Sprintf(format, args[:n]...), "P")
			got := addrRE.ReplaceAllString(pr.Sprintf(format, margs[:n]...), "P")
			if got != want {
				t.Fatalf("Sprintf(%q) with %d args:\n got %q\nwant %q", format, n, got, want)
			}
		}
	})
}

// hasDeepPointer tells whether x holds a non-nil pointer below its top.
func hasDeepPointer(x any) bool {
	return strings.Contains(fmt.Sprintf("%#v", []any{x}), "(0x")
}

type level int

func (l level) String() string { return [...]string{"low", "high"}[l] }

// stringerIn is an interpreter's wrapper giving a String method to a value
// reflect sees without it: here a level seen as a plain int, which the
// Describer names; or, when it does not carry the value (carries is false),
// a stand-in that prints by its method alone.
type stringerIn struct {
	IValue  any
	WString func() string
}

type standIns struct {
	*mirrors
	carries bool
	name    string
}

func (d standIns) Describe(t reflect.Type) *Type {
	if t != reflect.TypeFor[stringerIn]() {
		return d.mirrors.Describe(t)
	}
	return &Type{
		String: func(v reflect.Value) (string, bool) { return v.Interface().(stringerIn).WString(), true },
		Inner: func(v reflect.Value) (reflect.Value, *Type) {
			if !d.carries {
				return reflect.Value{}, &Type{Name: d.name}
			}
			return v.Field(0).Elem(), &Type{Name: d.name}
		},
	}
}

func TestStandInsNameWhatTheyCarry(t *testing.T) {
	m := newMirrors()
	pr := New(standIns{m, true, "typefmt.level"}, io.Discard)
	l := level(1)
	in := stringerIn{IValue: int(l), WString: l.String}
	for _, verb := range []string{"%v", "%s", "%d", "%T", "%q", "%x", "%5v", "%#v", "%v|%T"} {
		args := []any{l, l}
		if want, got := fmt.Sprintf(verb, args...), pr.Sprintf(verb, in, in); got != want {
			t.Errorf("Sprintf(%q) = %q, fmt of the original %q", verb, got, want)
		}
	}
	if got, want := pr.Sprintln("a", in, 3, in), fmt.Sprintln("a", l, 3, l); got != want {
		t.Errorf("Sprintln = %q, want %q", got, want)
	}

	// A stand-in without methods whose value's Type has them (an
	// interpreter's any holding a value of its own named int type).
	holderType := reflect.TypeFor[struct{ V any }]()
	pr = New(describeFunc(func(t reflect.Type) *Type {
		if t != holderType {
			return nil
		}
		return &Type{Inner: func(v reflect.Value) (reflect.Value, *Type) {
			return v.Field(0).Elem(), &Type{Name: "typefmt.level", String: func(v reflect.Value) (string, bool) {
				return level(v.Int()).String(), true
			}}
		}}
	}), io.Discard)
	h := struct{ V any }{int(l)}
	if got, want := pr.Sprintf("%v %T %d %s", h, h, h, []any{h}), fmt.Sprintf("%v %T %d %s", l, l, l, []any{l}); got != want {
		t.Errorf("a stand-in naming a plain int = %q, want %q", got, want)
	}

	pr = New(standIns{m, false, "typefmt.celsius"}, io.Discard)
	c := celsius{2}
	opaque := stringerIn{IValue: 2.0, WString: c.String}
	for _, verb := range []string{"%v", "%s", "%+v", "%T", "%q", "%8v"} {
		if want, got := fmt.Sprintf(verb, c), pr.Sprintf(verb, opaque); got != want {
			t.Errorf("Sprintf(%q) of an opaque stand-in = %q, fmt of the original %q", verb, got, want)
		}
	}
	// What it does not carry, it prints by its method, whatever the verb.
	both := strings.Join([]string{"%#v", "%d"}, "|") // not a constant: vet would check it
	if got, want := pr.Sprintf(both, opaque, opaque), "2.0°C|2.0°C"; got != want {
		t.Errorf("Sprintf(%%#v|%%d) of an opaque stand-in = %q, want %q", got, want)
	}
}

type describeFunc func(reflect.Type) *Type

func (f describeFunc) Describe(t reflect.Type) *Type { return f(t) }
