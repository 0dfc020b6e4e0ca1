package codec

import (
	"fmt"
	"go/token"
	"reflect"
)

// Types that travel without a name ([]int, map[string]any, or an anonymous
// struct the namer could not name) are rebuilt from their shape with
// reflect's constructors. For the interpreter's structs this gives the very
// type the interpreter uses, because the interpreter builds them with
// reflect.StructOf too.

const maxRebuiltSize = 1 << 30

func (s *shapeInfo) typ() (reflect.Type, error) {
	s.once.Do(func() {
		s.rebuilt, s.rebuildErr = rebuildType(s.root)
	})
	return s.rebuilt, s.rebuildErr
}

func rebuildType(n *shapeNode) (t reflect.Type, err error) {
	// reflect's constructors panic on what they cannot build; the checks
	// below should catch all of it, and this catches the rest.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, corrupt("cannot build the type of a shape: %v", r)
		}
	}()
	return rebuild(n, map[*shapeNode]bool{})
}

func rebuild(n *shapeNode, onPath map[*shapeNode]bool) (reflect.Type, error) {
	if onPath[n] {
		return nil, corrupt("a recursive type was sent without a name")
	}
	onPath[n] = true
	defer delete(onPath, n)
	if n.kind >= kBool && n.kind <= kBytes {
		return basicTypes[n.kind], nil
	}
	switch n.kind {
	case kIface:
		switch n.sub {
		case ifaceAny:
			return anyType, nil
		case ifaceError:
			return errorType, nil
		}
	case kSlice, kPtr, kArray:
		et, err := rebuild(n.elem, onPath)
		if err != nil {
			return nil, err
		}
		switch n.kind {
		case kSlice:
			return reflect.SliceOf(et), nil
		case kPtr:
			return reflect.PointerTo(et), nil
		}
		if et.Size() != 0 && uint64(n.n) > maxRebuiltSize/uint64(et.Size()) {
			return nil, corrupt("array type of %d elements is too large", n.n)
		}
		return reflect.ArrayOf(n.n, et), nil
	case kMap:
		kt, err := rebuild(n.key, onPath)
		if err != nil {
			return nil, err
		}
		if !kt.Comparable() {
			return nil, corrupt("map key type %s is not comparable", kt)
		}
		et, err := rebuild(n.elem, onPath)
		if err != nil {
			return nil, err
		}
		return reflect.MapOf(kt, et), nil
	case kStruct:
		fields := make([]reflect.StructField, len(n.fields))
		seen := map[string]bool{}
		for i, f := range n.fields {
			if !token.IsIdentifier(f.name) || !token.IsExported(f.name) || seen[f.name] {
				return nil, corrupt("bad field name %q", f.name)
			}
			seen[f.name] = true
			ft, err := rebuild(f.s, onPath)
			if err != nil {
				return nil, err
			}
			fields[i] = reflect.StructField{Name: f.name, Type: ft, Tag: reflect.StructTag(f.tag)}
		}
		t := reflect.StructOf(fields)
		if t.Size() > maxRebuiltSize {
			return nil, corrupt("struct type is too large")
		}
		return t, nil
	}
	return nil, corrupt("a value of kind %s was sent without a type name", kindName(n))
}

func kindName(n *shapeNode) string {
	switch n.kind {
	case kIface:
		return "interface"
	case kShared:
		return "shared object"
	case kBinary, kGob:
		return "self-marshaling type"
	case kZero:
		return "zeroed"
	}
	return fmt.Sprintf("%d", n.kind)
}
