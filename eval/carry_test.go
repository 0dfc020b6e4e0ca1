package eval

import (
	"reflect"
	"testing"

	"gomp/mp"
)

// TestTypeSourceOfKernelPackages: a global holding an mp object is declared
// in children by the path cells import mp by, not its Go package path.
func TestTypeSourceOfKernelPackages(t *testing.T) {
	imports := []importSpec{{path: "mp"}, {name: "m2", path: "mp"}}
	got, ok := typeSource(reflect.TypeOf(map[string]*mp.DictProxy{}), nil, imports[:1])
	if !ok || got != "map[string]*mp.DictProxy" {
		t.Errorf("typeSource = %q, %v", got, ok)
	}
	if got, ok := typeSource(reflect.TypeOf(&mp.Manager{}), nil, imports[1:]); !ok || got != "*m2.Manager" {
		t.Errorf("typeSource with a named import = %q, %v", got, ok)
	}
	if _, ok := typeSource(reflect.TypeOf(&mp.Manager{}), nil, nil); ok {
		t.Error("a type of a package the session does not import was written")
	}
}

// TestManagerGlobalsReachChildren: a cell's Manager and proxies held in
// globals (declared with :=) are the same objects in a child, and the
// notebook's types come back with their methods.
func TestManagerGlobalsReachChildren(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp")
type Nota struct{ Alumno string; Valor int }
func (n Nota) Aprobada() bool { return n.Valor >= 6 }
m := mp.NewManager()
notas := m.Dict()
func calificar() {
	notas.Set("ana", Nota{"ana", 7})
	m.Namespace("estado").Set("listo", true)
}
p := mp.NewProcess(calificar)
p.Start()
p.Join()
fmt.Println(p.ExitCode(), notas.Get("ana").(Nota).Aprobada(), m.Namespace("estado"))
m.Shutdown()`)
	if got := c.rec.out(); got != "0 true Namespace(listo=true)\n" {
		t.Fatalf("stdout %q stderr %q", got, c.rec.err())
	}
}
