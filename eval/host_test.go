package eval

import (
	"reflect"
	"strings"
	"testing"

	"gomp/mp"
)

// global returns the value of a global variable of the session.
func global(t *testing.T, s *Session, name string) reflect.Value {
	t.Helper()
	v, ok := s.in.Globals()[name]
	if !ok {
		t.Fatalf("no global %s", name)
	}
	return v
}

func TestIdentifyTargets(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "strings")
type Worker struct{ ID int }
func (w Worker) Run() { fmt.Println("run", w.ID) }
func (w *Worker) Bump(n int) int { w.ID += n; return w.ID }
func work(n int, name string) string { return fmt.Sprint(n, name) }
fn := work
fns := []func(int, string) string{work}
w := Worker{ID: 7}
run := w.Run
bump := (&w).Bump
closure := func() {}
printer := strings.ToUpper`)
	for name, want := range map[string]string{
		"fn": "work", "fns": "work", "run": "Worker.Run", "bump": "(*Worker).Bump", "printer": "strings.ToUpper",
	} {
		v := global(t, s, name)
		if v.Kind() == reflect.Slice {
			v = v.Index(0)
		}
		got, err := s.Identify(v)
		if err != nil || got.Func != want {
			t.Errorf("%s: %+v, %v; want %s", name, got, err, want)
		}
	}
	if got, _ := s.Identify(global(t, s, "run")); got.Recv.IsValid() == false {
		t.Errorf("method value without receiver")
	}
	if _, err := s.Identify(global(t, s, "closure")); err == nil || !strings.Contains(err.Error(), "closure") {
		t.Errorf("closure: %v", err)
	}
	// A value with a Run method is its Run method (Python's Process subclass).
	if got, err := s.Identify(global(t, s, "w")); err != nil || got.Func != "Worker.Run" {
		t.Errorf("value with Run: %+v %v", got, err)
	}
	// Probing runs no user code: the cell printed nothing.
}

func TestChildHostReplaysTheSession(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "strings")
type Point struct{ X, Y int; label string }
func (p Point) Sum() int { return p.X + p.Y }
const Scale = 10
limit := 3
origin := Point{1, 2, "o"}
func scaled(p Point, by int) string { return strings.Repeat("*", by) + fmt.Sprint(p.Sum()*Scale + limit) }`)
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewChildHost(snap)
	if err != nil {
		t.Fatal(err)
	}
	child := h.(*Session)
	t.Cleanup(func() { child.Close() })
	for name, v := range snap.Globals {
		// The codec would carry the value by type name; convert as it does.
		tn, ok := s.TypeName(v.Type())
		if !ok {
			t.Fatalf("cannot name the type of %s", name)
		}
		ct, err := child.ResolveType(tn)
		if err != nil {
			t.Fatal(err)
		}
		cv, ok := convertValue(v, ct)
		if !ok {
			t.Fatalf("convert %s", name)
		}
		if err := child.SetGlobal(name, cv); err != nil {
			t.Fatal(err)
		}
	}
	target, err := s.Identify(reflect.ValueOf(nil))
	if err == nil {
		t.Fatal("nil target accepted")
	}
	target = mp.Target{Func: "scaled"}
	pt, _ := child.ResolveType("Point")
	arg, _ := convertValue(global(t, s, "origin"), pt)
	var out strings.Builder
	child.out = newProcessOutput(&out, &out)
	if err := child.Call(target, []reflect.Value{arg, reflect.ValueOf(2)}); err != nil {
		t.Fatal(err)
	}
	res, err := child.evalExpr(`scaled(origin, 1)`)
	if err != nil || res.String() != "*33" {
		t.Fatalf("child's scaled(origin, 1) = %v, %v", res, err)
	}
	// A panicking target reports a TargetPanic with a traceback.
	mustRun(t, s, "func boom() { panic(\"child boom\") }")
	snap, _ = s.Snapshot()
	h, _ = NewChildHost(snap)
	err = h.Call(mp.Target{Func: "boom"}, nil)
	tp, ok := err.(*mp.TargetPanic)
	if !ok || tp.Value != "child boom" || !strings.Contains(strings.Join(tp.Traceback, "\n"), "main.boom(...)") {
		t.Fatalf("got %#v", err)
	}
	h.(*Session).Close()
}

func TestChildReplaysFunctionsThatUseImports(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "import (\"fmt\"; \"time\")")
	mustRun(t, s, "func pause(n int) string { time.Sleep(time.Duration(n) * time.Millisecond); return fmt.Sprint(\"slept \", n) }")
	// A rebuild replays it too.
	mustRun(t, s, "type T struct{}\nfunc pause2() {}")
	mustRun(t, s, "type T struct{ A int }")
	if c := mustRun(t, s, "pause(1)"); c.value() != `"slept 1"` {
		t.Fatalf("after rebuild: %s", c.value())
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewChildHost(snap)
	if err != nil {
		t.Fatal(err)
	}
	child := h.(*Session)
	defer child.Close()
	if v, err := child.evalExpr("pause(2)"); err != nil || v.String() != "slept 2" {
		t.Fatalf("child: %v %v", v, err)
	}
}
