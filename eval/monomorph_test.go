package eval

import (
	"go/types"
	"strings"
	"testing"
)

// A generic declared in one cell is instantiated in later cells, with
// types declared later still, and its copies keep working across cells.
func TestGenericAcrossCells(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "fmt"
type Stack[T any] struct{ items []T }
func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }
func (s *Stack[T]) Pop() (T, bool) {
	var zero T
	if len(s.items) == 0 {
		return zero, false
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, true
}
func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}`)
	mustRun(t, s, `type point struct{ x, y int }
st := &Stack[point]{}
st.Push(point{1, 2})`)
	c := mustRun(t, s, `st.Push(point{3, 4})
p, ok := st.Pop()
fmt.Printf("%v %v %T %+v\n", p, ok, *st, *st)
fmt.Println(Map([]int{1, 2}, func(n int) string { return fmt.Sprint(n * 10) }))`)
	want := "{3 4} true main.Stack[main.point] {items:[{x:1 y:2}]}\n[10 20]\n"
	if c.rec.out() != want {
		t.Fatalf("stdout %q, want %q", c.rec.out(), want)
	}
	// A function of a later cell using the instance, called afterwards.
	mustRun(t, s, `func labels(xs []int) []string { return Map(xs, func(n int) string { return fmt.Sprint("#", n) }) }`)
	if c := mustRun(t, s, `labels([]int{7})`); c.value() != "[#7]" {
		t.Fatalf("labels = %q", c.value())
	}
}

// Redefining a generic redoes its instances: functions of earlier cells
// that use an instance call the new body.
func TestRedefinedGenericRedoesInstances(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `func Twice[T any](x T) []T { return []T{x, x} }
func pair(n int) []int { return Twice(n) }`)
	if c := mustRun(t, s, `pair(3)`); c.value() != "[3 3]" {
		t.Fatalf("pair(3) = %q", c.value())
	}
	mustRun(t, s, `func Twice[T any](x T) []T { return []T{x, x, x} }`)
	if c := mustRun(t, s, `pair(3)`); c.value() != "[3 3 3]" {
		t.Fatalf("after the redefinition, pair(3) = %q", c.value())
	}
	// A method added to a generic type later reaches its instances.
	mustRun(t, s, `type Box[T any] struct{ v T }
b := Box[string]{"x"}`)
	mustRun(t, s, `func (b Box[T]) Get() T { return b.v }`)
	if c := mustRun(t, s, `b.Get() + "y"`); c.value() != `"xy"` {
		t.Fatalf("b.Get() = %q", c.value())
	}
}

// A child process started on a target that uses an instance gets the
// copies with the session's declarations.
func TestChildUsesInstantiatedGeneric(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "mp")
type Pair[K comparable, V any] struct {
	Key K
	Val V
}
func Sum[T ~int | ~float64](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}`)
	c := mustRun(t, s, `func work(q *mp.Queue, xs []int) {
	p := Pair[string, int]{"total", Sum(xs)}
	q.Put(fmt.Sprintf("%+v %T", p, p))
}
q := mp.NewQueue()
p := mp.NewProcess(work, q, []int{1, 2, 3})
p.Start()
got := q.Get()
p.Join()
fmt.Println(got, p.ExitCode())`)
	if want := "{Key:total Val:6} main.Pair[string,int] 0\n"; c.rec.out() != want {
		t.Fatalf("stdout %q stderr %q, want %q", c.rec.out(), c.rec.err(), want)
	}
}

// Messages name instances as Go does, never the copies: a panic inside a
// generic, and a compile error about an instance.
func TestGenericNamesInMessages(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `type Stack[T any] struct{ items []T }
func (s *Stack[T]) Pop() T {
	if len(s.items) == 0 {
		panic("empty stack")
	}
	return s.items[len(s.items)-1]
}
func First[T any](xs []T) T { return xs[0] }
var st Stack[int]`)
	for _, tc := range []struct{ code, want string }{
		// The panic's line is the generic's own, in the cell that declared it.
		{`st.Pop()`, "line 4\n\t\tpanic(\"empty stack\")"},
		{`First([]string{})`, "main.First[...](...)"},
		{`st.Push(1)`, "type Stack[int] has no field or method Push"},
		{`var x Stack[string] = st`, "cannot use st (variable of struct type Stack[int]) as Stack[string] value"},
	} {
		c := run(t, s, tc.code)
		if c.res.Err == nil {
			t.Fatalf("%s: no error", tc.code)
		}
		all := c.res.Err.Value + "\n" + strings.Join(c.res.Err.Traceback, "\n")
		if strings.Contains(all, "__gomp") || !strings.Contains(all, tc.want) {
			t.Errorf("%s: want %q, without internal names, in:\n%s", tc.code, tc.want, all)
		}
	}
}

// A generic that cannot be made concrete (its type argument is declared
// inside a function, where no package-level copy can name it) is a clear
// compile error, not a wrong value.
func TestGenericWithLocalTypeIsACompileError(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `func Wrap[T any](x T) []T { return []T{x} }`)
	c := run(t, s, `func f() int {
	type local struct{ n int }
	return len(Wrap(local{1}))
}
f()`)
	want := "line 3, column 13: gomp cannot make Wrap[local] concrete for the interpreter: its type argument local is declared inside a function"
	if c.res.Err == nil || c.res.Err.Name != "CompileError" || !strings.Contains(c.res.Err.Value, want) {
		t.Fatalf("got %+v", c.res.Err)
	}
	if strings.Contains(c.res.Err.Value, "__gomp") {
		t.Fatalf("an internal name shows: %s", c.res.Err.Value)
	}
}

// The copies that nothing uses any more leave the declaration log, so
// that a rebuild or a child never compiles them again; those in use stay.
func TestStaleCopiesLeaveTheLog(t *testing.T) {
	s := newSession(t)
	copies := func() []string {
		var names []string
		for _, e := range s.decls.entries {
			if name, ok := copyOfEntry(e); ok {
				names = append(names, goTypeName(name))
			}
		}
		return names
	}
	mustRun(t, s, `type item struct{ n int }
func Show[T any](x T) T { return x }
func use() item { return Show(item{1}) }`)
	if got := copies(); len(got) != 1 || got[0] != "Show[main.item]" {
		t.Fatalf("copies %q, want Show[main.item]", got)
	}
	mustRun(t, s, `func use() item { return item{2} }`)
	if got := copies(); len(got) != 0 {
		t.Fatalf("copies %q after their last use went", got)
	}
	mustRun(t, s, `func use2() string { return Show("s") }`)
	if c := mustRun(t, s, `use().n + len(use2())`); c.value() != "3" {
		t.Fatalf("got %q", c.value())
	}
	if got := copies(); len(got) != 1 || got[0] != "Show[string]" {
		t.Fatalf("copies %q, want Show[string]", got)
	}
}

// Generic functions of the standard library without a stand-in are copied
// from GOROOT's source like the notebook's own, when they use nothing of
// their package but its generics; the others are a clear compile error.
func TestLibraryGenericsAreCopied(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("cmp"; "slices")
type tag string
func merge(a, b []tag) []tag { return slices.Compact(slices.Concat(a, b)) }`)
	if c := mustRun(t, s, `merge([]tag{"a", "b"}, []tag{"b", "c"})`); c.value() != "[a b c]" {
		t.Fatalf("merge = %q", c.value())
	}
	if c := mustRun(t, s, `cmp.Or(tag(""), "x")`); c.value() != `"x"` {
		t.Fatalf("cmp.Or = %q", c.value())
	}
	c := run(t, s, `slices.Replace([]int{1, 2}, 0, 1, 3)`)
	want := "line 1, column 1: gomp cannot make slices.Replace[[]int, int] concrete for the interpreter: it uses package unsafe"
	if c.res.Err == nil || !strings.Contains(c.res.Err.Value, want) {
		t.Fatalf("got %+v, want %q", c.res.Err, want)
	}
}

// Copy names decode to the instances Go names, in messages and in frames.
func TestCopyNamesDecode(t *testing.T) {
	args := []types.Type{types.Typ[types.Int], types.NewSlice(types.Typ[types.String])}
	name := copyName("Pair", args)
	if strings.ContainsAny(name, "[],.") {
		t.Fatalf("%q is no identifier", name)
	}
	if got := goTypeName(name); got != "Pair[int,[]string]" {
		t.Errorf("goTypeName = %q", got)
	}
	if got := decodeCopyNames("cannot use x (type "+name+")", false); got != "cannot use x (type Pair[int,[]string])" {
		t.Errorf("message = %q", got)
	}
	if got := goFuncName("main." + copyName("Map", args)); got != "main.Map[...]" {
		t.Errorf("frame = %q", got)
	}
	if got := goFuncName("main." + copyName(libMark+"slices_Delete", args)); got != "slices.Delete[...]" {
		t.Errorf("library frame = %q", got)
	}
}

// A value of an instance crosses a queue from a child and prints, in the
// parent, with its instance's name and its fields.
func TestInstanceValueCrossesAQueue(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "mp")
type Pair[K comparable, V any] struct {
	Key K
	Val V
}
func send(q *mp.Queue, k string) { q.Put(Pair[string, []int]{k, []int{1, 2}}) }`)
	c := mustRun(t, s, `q := mp.NewQueue()
p := mp.NewProcess(send, q, "k")
p.Start()
v := q.Get()
p.Join()
fmt.Printf("%+v %T %d\n", v, v, p.ExitCode())`)
	if want := "{Key:k Val:[1 2]} main.Pair[string,[]int] 0\n"; c.rec.out() != want {
		t.Fatalf("stdout %q stderr %q, want %q", c.rec.out(), c.rec.err(), want)
	}
}
