package eval

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
)

// The generic functions of slices, maps and cmp, for cells. yaegi's symbol
// tables cannot hold a generic function (only instances are values), so a
// cell's call of one is rewritten, from the checker's facts, into a call of
// the reflective function here of the same name, its result asserted back
// to the type the checker found (see rewriter.genericCall). Each behaves as
// its standard library namesake for the kinds a cell can pass.

// genericFuncs maps "package.Func" to its stand-in, in the runtime package
// the rewritten cells import.
var genericFuncs = map[string]any{
	"slices.Sort":           slicesSort,
	"slices.SortFunc":       slicesSortFunc,
	"slices.SortStableFunc": slicesSortStableFunc,
	"slices.IsSorted":       slicesIsSorted,
	"slices.Contains":       slicesContains,
	"slices.ContainsFunc":   slicesContainsFunc,
	"slices.Index":          slicesIndex,
	"slices.IndexFunc":      slicesIndexFunc,
	"slices.Equal":          slicesEqual,
	"slices.Reverse":        slicesReverse,
	"slices.Max":            slicesMax,
	"slices.Min":            slicesMin,
	"slices.BinarySearch":   slicesBinarySearch,
	"slices.Clone":          cloneValue,
	"slices.Collect":        slicesCollect,
	"slices.Sorted":         slicesSorted,
	"slices.Values":         slicesValues,
	"slices.All":            slicesAll,
	"slices.Backward":       slicesBackward,
	"maps.Keys":             mapsKeys,
	"maps.Values":           mapsValues,
	"maps.All":              mapsAll,
	"maps.Clone":            cloneValue,
	"maps.Copy":             mapsCopy,
	"maps.DeleteFunc":       mapsDeleteFunc,
	"maps.Equal":            mapsEqual,
	"cmp.Compare":           cmpCompare,
	"cmp.Less":              cmpLess,
	"math/rand/v2.N":        randN,
	"sync.OnceValue":        syncOnceValue,
	"sync.OnceValues":       syncOnceValue,
	"iter.Pull":             iterPull,
	"iter.Pull2":            iterPull,
	"slices.Insert":         slicesInsert,
}

// sessionStandIns are the stand-ins that are the session's methods, with a
// call rewrite of their own: errors.AsType (rewriter.asTypeCall,
// Session.errorsAsType), whose type argument is all it has to go by.
var sessionStandIns = map[string]bool{"errors.AsType": true}

// genericName is the stand-in's name in the runtime package.
func genericName(key string) string {
	b := []byte(strings.NewReplacer("math/rand/v2", "randv2").Replace(key))
	out := make([]byte, 0, len(b))
	for i, c := range b {
		if c == '.' {
			continue
		}
		if i == 0 && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out = append(out, c)
	}
	return "Generic" + string(out)
}

// compareValues orders two values of one ordered kind as cmp.Compare does
// (NaN first, then -0.0 == 0.0).
func compareValues(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cmp.Compare(a.Uint(), b.Uint())
	case reflect.Float32, reflect.Float64:
		return cmp.Compare(a.Float(), b.Float())
	case reflect.String:
		return cmp.Compare(a.String(), b.String())
	}
	panic(fmt.Sprintf("cannot compare values of kind %s", a.Kind()))
}

func sliceOf(s any) reflect.Value {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Slice {
		panic(fmt.Sprintf("not a slice: %T", s))
	}
	return v
}

// callCmp calls an interpreted comparison function.
func callCmp(f reflect.Value, a, b reflect.Value) int {
	return int(f.Call([]reflect.Value{a, b})[0].Int())
}

func slicesSort(s any) {
	v := sliceOf(s)
	sort.SliceStable(s, func(i, j int) bool { return compareValues(v.Index(i), v.Index(j)) < 0 })
}

func slicesSortFunc(s any, f any) {
	v, fv := sliceOf(s), reflect.ValueOf(f)
	sort.Slice(s, func(i, j int) bool { return callCmp(fv, v.Index(i), v.Index(j)) < 0 })
}

func slicesSortStableFunc(s any, f any) {
	v, fv := sliceOf(s), reflect.ValueOf(f)
	sort.SliceStable(s, func(i, j int) bool { return callCmp(fv, v.Index(i), v.Index(j)) < 0 })
}

func slicesIsSorted(s any) bool {
	v := sliceOf(s)
	for i := 1; i < v.Len(); i++ {
		if compareValues(v.Index(i), v.Index(i-1)) < 0 {
			return false
		}
	}
	return true
}

func slicesIndex(s any, x any) int {
	v := sliceOf(s)
	for i := range v.Len() {
		if v.Index(i).Interface() == x {
			return i
		}
	}
	return -1
}

func slicesContains(s any, x any) bool { return slicesIndex(s, x) >= 0 }

func slicesIndexFunc(s any, f any) int {
	v, fv := sliceOf(s), reflect.ValueOf(f)
	for i := range v.Len() {
		if fv.Call([]reflect.Value{v.Index(i)})[0].Bool() {
			return i
		}
	}
	return -1
}

func slicesContainsFunc(s any, f any) bool { return slicesIndexFunc(s, f) >= 0 }

func slicesEqual(a, b any) bool {
	va, vb := sliceOf(a), sliceOf(b)
	if va.Len() != vb.Len() {
		return false
	}
	for i := range va.Len() {
		if va.Index(i).Interface() != vb.Index(i).Interface() {
			return false
		}
	}
	return true
}

func slicesReverse(s any) {
	v := sliceOf(s)
	swap := reflect.Swapper(s)
	for i, j := 0, v.Len()-1; i < j; i, j = i+1, j-1 {
		swap(i, j)
	}
}

func slicesExtreme(s any, sign int, name string) any {
	v := sliceOf(s)
	if v.Len() == 0 {
		panic("slices." + name + ": empty list")
	}
	m := v.Index(0)
	for i := 1; i < v.Len(); i++ {
		e := v.Index(i)
		if e.Kind() == reflect.Float32 || e.Kind() == reflect.Float64 {
			if e.Float() != e.Float() { // NaN wins, as in slices.Max
				return e.Interface()
			}
		}
		if compareValues(e, m)*sign > 0 {
			m = e
		}
	}
	return m.Interface()
}

func slicesMax(s any) any { return slicesExtreme(s, 1, "Max") }
func slicesMin(s any) any { return slicesExtreme(s, -1, "Min") }

func slicesBinarySearch(s any, x any) (int, bool) {
	v, xv := sliceOf(s), reflect.ValueOf(x)
	i := sort.Search(v.Len(), func(i int) bool { return compareValues(v.Index(i), xv) >= 0 })
	return i, i < v.Len() && compareValues(v.Index(i), xv) == 0
}

// cloneValue copies a slice or map (nil stays nil), as slices.Clone and
// maps.Clone do.
func cloneValue(x any) any {
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return x
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		return c.Interface()
	case reflect.Map:
		if v.IsNil() {
			return x
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			c.SetMapIndex(iter.Key(), iter.Value())
		}
		return c.Interface()
	}
	panic(fmt.Sprintf("cannot clone a %T", x))
}

// seqElem is the element type of an iter.Seq value.
func seqElem(seq reflect.Value) reflect.Type {
	return seq.Type().In(0).In(0)
}

// collect runs seq and appends what it yields to a slice of t.
func collect(seq any, t reflect.Type) reflect.Value {
	sv := reflect.ValueOf(seq)
	out := reflect.MakeSlice(t, 0, 0)
	yield := reflect.MakeFunc(sv.Type().In(0), func(args []reflect.Value) []reflect.Value {
		out = reflect.Append(out, args[0])
		return []reflect.Value{reflect.ValueOf(true)}
	})
	sv.Call([]reflect.Value{yield})
	return out
}

func slicesCollect(seq any) any {
	sv := reflect.ValueOf(seq)
	out := collect(seq, reflect.SliceOf(seqElem(sv)))
	if out.Len() == 0 {
		return reflect.Zero(out.Type()).Interface() // nil, as slices.Collect
	}
	return out.Interface()
}

func slicesSorted(seq any) any {
	s := slicesCollect(seq)
	if reflect.ValueOf(s).Len() > 0 {
		slicesSort(s)
	}
	return s
}

// seqOf makes an iter.Seq of elem (or an iter.Seq2 of key and elem) whose
// body pushes values with emit until yield says stop.
func seqOf(key, elem reflect.Type, each func(yield func(k, v reflect.Value) bool)) any {
	var yieldT reflect.Type
	if key == nil {
		yieldT = reflect.FuncOf([]reflect.Type{elem}, []reflect.Type{reflect.TypeFor[bool]()}, false)
	} else {
		yieldT = reflect.FuncOf([]reflect.Type{key, elem}, []reflect.Type{reflect.TypeFor[bool]()}, false)
	}
	seqT := reflect.FuncOf([]reflect.Type{yieldT}, nil, false)
	return reflect.MakeFunc(seqT, func(args []reflect.Value) []reflect.Value {
		yield := args[0]
		each(func(k, v reflect.Value) bool {
			in := []reflect.Value{v}
			if key != nil {
				in = []reflect.Value{k, v}
			}
			return yield.Call(in)[0].Bool()
		})
		return nil
	}).Interface()
}

func slicesValues(s any) any {
	v := sliceOf(s)
	return seqOf(nil, v.Type().Elem(), func(yield func(k, v reflect.Value) bool) {
		for i := range v.Len() {
			if !yield(reflect.Value{}, v.Index(i)) {
				return
			}
		}
	})
}

func slicesAll(s any) any {
	v := sliceOf(s)
	return seqOf(reflect.TypeFor[int](), v.Type().Elem(), func(yield func(k, v reflect.Value) bool) {
		for i := range v.Len() {
			if !yield(reflect.ValueOf(i), v.Index(i)) {
				return
			}
		}
	})
}

func slicesBackward(s any) any {
	v := sliceOf(s)
	return seqOf(reflect.TypeFor[int](), v.Type().Elem(), func(yield func(k, v reflect.Value) bool) {
		for i := v.Len() - 1; i >= 0; i-- {
			if !yield(reflect.ValueOf(i), v.Index(i)) {
				return
			}
		}
	})
}

func mapOf(m any) reflect.Value {
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Map {
		panic(fmt.Sprintf("not a map: %T", m))
	}
	return v
}

func mapsKeys(m any) any {
	v := mapOf(m)
	return seqOf(nil, v.Type().Key(), func(yield func(k, v reflect.Value) bool) {
		iter := v.MapRange()
		for iter.Next() {
			if !yield(reflect.Value{}, iter.Key()) {
				return
			}
		}
	})
}

func mapsValues(m any) any {
	v := mapOf(m)
	return seqOf(nil, v.Type().Elem(), func(yield func(k, v reflect.Value) bool) {
		iter := v.MapRange()
		for iter.Next() {
			if !yield(reflect.Value{}, iter.Value()) {
				return
			}
		}
	})
}

func mapsAll(m any) any {
	v := mapOf(m)
	return seqOf(v.Type().Key(), v.Type().Elem(), func(yield func(k, v reflect.Value) bool) {
		iter := v.MapRange()
		for iter.Next() {
			if !yield(iter.Key(), iter.Value()) {
				return
			}
		}
	})
}

func mapsCopy(dst, src any) {
	d, s := mapOf(dst), mapOf(src)
	iter := s.MapRange()
	for iter.Next() {
		d.SetMapIndex(iter.Key(), iter.Value())
	}
}

func mapsDeleteFunc(m any, f any) {
	v, fv := mapOf(m), reflect.ValueOf(f)
	for _, k := range v.MapKeys() {
		if fv.Call([]reflect.Value{k, v.MapIndex(k)})[0].Bool() {
			v.SetMapIndex(k, reflect.Value{})
		}
	}
}

func mapsEqual(a, b any) bool {
	va, vb := mapOf(a), mapOf(b)
	if va.Len() != vb.Len() {
		return false
	}
	iter := va.MapRange()
	for iter.Next() {
		w := vb.MapIndex(iter.Key())
		if !w.IsValid() || w.Interface() != iter.Value().Interface() {
			return false
		}
	}
	return true
}

func cmpCompare(a, b any) int { return compareValues(reflect.ValueOf(a), reflect.ValueOf(b)) }

func cmpLess(a, b any) bool { return cmpCompare(a, b) < 0 }

// randN is math/rand/v2's N: a random value in [0, n) of n's integer type
// (time.Duration included).
func randN(n any) any {
	v := reflect.ValueOf(n)
	out := reflect.New(v.Type()).Elem()
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		out.SetInt(rand.Int64N(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		out.SetUint(rand.Uint64N(v.Uint()))
	default:
		panic(fmt.Sprintf("rand.N of a %s", v.Type()))
	}
	return out.Interface()
}
