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
