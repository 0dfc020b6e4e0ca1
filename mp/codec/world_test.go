package codec

import (
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A world stands for one interpreter: it names its types and resolves names
// to its own types, the way mp.Host does. Two worlds built with different
// tags have different reflect.Types for the same declarations, like two
// interpreters in two processes.
type world struct {
	names map[reflect.Type]string
	types map[string]reflect.Type
	calls int // ResolveType calls, to check names are resolved once per message
}

// compiled types any world knows (as a session that imports their packages).
var compiledTypes = []reflect.Type{
	reflect.TypeFor[time.Time](), reflect.TypeFor[time.Duration](), reflect.TypeFor[time.Month](),
	reflect.TypeFor[big.Int](), reflect.TypeFor[Point](), reflect.TypeFor[Tree](),
	reflect.TypeFor[Named](), reflect.TypeFor[WithMutex](), reflect.TypeFor[Queue](),
}

// Point, Tree and Named are compiled types with exported fields, named by
// their Go names.
type Point struct{ X, Y int }

type Tree struct {
	Value       int
	Left, Right *Tree
}

type Named []string

type WithMutex struct {
	Mu sync.Mutex
	N  int
}

func newWorld(tag string, decls map[string][]reflect.StructField) *world {
	w := &world{names: map[reflect.Type]string{}, types: map[string]reflect.Type{}}
	for _, t := range compiledTypes {
		name := strings.TrimPrefix(t.String(), "codec.")
		w.names[t], w.types[name] = name, t
	}
	// Sorted, so that Point2 exists before Worker refers to it.
	for _, name := range slices.Sorted(maps.Keys(decls)) {
		fields := decls[name]
		fs := make([]reflect.StructField, len(fields))
		for i, f := range fields {
			f.Tag = reflect.StructTag(fmt.Sprintf(`world:%q`, tag)) + " " + f.Tag
			f.Type = w.sub(f.Type)
			fs[i] = f
		}
		t := reflect.StructOf(fs)
		w.names[t], w.types[name] = name, t
	}
	return w
}

// placeholder types in declarations, replaced by the world's own types.
type (
	refPoint  struct{ placeholder int }
	refWorker struct{ placeholder int }
)

func (w *world) sub(t reflect.Type) reflect.Type {
	switch t {
	case reflect.TypeFor[refPoint]():
		return w.types["Point2"]
	case reflect.TypeFor[refWorker]():
		return w.types["Worker"]
	}
	switch t.Kind() {
	case reflect.Pointer:
		return reflect.PointerTo(w.sub(t.Elem()))
	case reflect.Slice:
		return reflect.SliceOf(w.sub(t.Elem()))
	}
	return t
}

func (w *world) TypeName(t reflect.Type) (string, bool) {
	if n, ok := w.names[t]; ok {
		return n, true
	}
	if t.Name() != "" {
		return t.Name(), t.PkgPath() == "" && t.Kind() != reflect.Interface || t == errorType
	}
	var elem string
	var ok bool
	switch t.Kind() {
	case reflect.Slice, reflect.Pointer, reflect.Array, reflect.Map:
		elem, ok = w.TypeName(t.Elem())
	case reflect.Interface:
		return "any", t.NumMethod() == 0
	}
	if !ok {
		return "", false
	}
	switch t.Kind() {
	case reflect.Slice:
		return "[]" + elem, true
	case reflect.Pointer:
		return "*" + elem, true
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), elem), true
	}
	key, ok := w.TypeName(t.Key())
	return "map[" + key + "]" + elem, ok
}

func (w *world) ResolveType(name string) (reflect.Type, error) {
	w.calls++
	return w.resolve(name)
}

func (w *world) resolve(name string) (reflect.Type, error) {
	switch {
	case strings.HasPrefix(name, "[]"):
		t, err := w.resolve(name[2:])
		if err != nil {
			return nil, err
		}
		return reflect.SliceOf(t), nil
	case strings.HasPrefix(name, "*"):
		t, err := w.resolve(name[1:])
		if err != nil {
			return nil, err
		}
		return reflect.PointerTo(t), nil
	case strings.HasPrefix(name, "["):
		i := strings.Index(name, "]")
		if i < 0 {
			return nil, fmt.Errorf("bad type %s", name)
		}
		n, err := strconv.Atoi(name[1:i])
		if err != nil {
			return nil, err
		}
		t, err := w.resolve(name[i+1:])
		if err != nil {
			return nil, err
		}
		return reflect.ArrayOf(n, t), nil
	case strings.HasPrefix(name, "map["):
		depth := 0
		for i := 3; i < len(name); i++ {
			switch name[i] {
			case '[':
				depth++
			case ']':
				depth--
				if depth == 0 {
					k, err := w.resolve(name[4:i])
					if err != nil {
						return nil, err
					}
					v, err := w.resolve(name[i+1:])
					if err != nil {
						return nil, err
					}
					return reflect.MapOf(k, v), nil
				}
			}
		}
	case name == "any":
		return anyType, nil
	case name == "error":
		return errorType, nil
	}
	if t, ok := w.types[name]; ok {
		return t, nil
	}
	for _, t := range basicTypes {
		if t != nil && t.String() == name {
			return t, nil
		}
	}
	return nil, fmt.Errorf("undefined: %s", name)
}

func (w *world) enc() EncodeOptions { return EncodeOptions{Namer: w} }
func (w *world) dec() DecodeOptions { return DecodeOptions{Resolver: w} }

// Queue is a stand-in for mp.Queue: a shared object.
type Queue struct{ ID uint64 }

func (q *Queue) SharedRef() (string, uint64) { return "queue", q.ID }

// queues is a SharedResolver: the receiving process's handles.
type queues map[uint64]*Queue

func (qs queues) ResolveShared(kind string, id uint64) (reflect.Value, error) {
	if kind != "queue" {
		return reflect.Value{}, fmt.Errorf("no shared %s", kind)
	}
	q, ok := qs[id]
	if !ok {
		return reflect.Value{}, fmt.Errorf("no queue %d", id)
	}
	return reflect.ValueOf(q), nil
}
