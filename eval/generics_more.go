package eval

import (
	"fmt"
	"reflect"
	"sync"
)

// Stand-ins for the generic functions of sync and iter (see generics.go).

// syncOnceValue is sync.OnceValue and sync.OnceValues: a function of f's
// type that calls f once and returns its results ever after; if f panicked,
// every call panics with the same value, as the standard library's do.
func syncOnceValue(f any) any {
	fv := reflect.ValueOf(f)
	var (
		once    sync.Once
		valid   bool
		p       any
		results []reflect.Value
	)
	body := func() {
		defer func() {
			if !valid {
				p = recover()
				panic(p)
			}
		}()
		results = fv.Call(nil)
		valid = true
	}
	return reflect.MakeFunc(fv.Type(), func([]reflect.Value) []reflect.Value {
		once.Do(body)
		if !valid {
			panic(p)
		}
		return results
	}).Interface()
}

// iterPull is iter.Pull and iter.Pull2: it runs seq in a goroutine of its
// own that hands each yielded value over to next and waits to be resumed,
// which is what the standard library's coroutine does without a goroutine.
// next returns the values and true until seq returns, then zero values and
// false; stop makes the pending yield return false and waits for seq to
// return. A panic in seq is raised again in the next or stop that resumed
// it. As with the standard library, a Pull that is neither exhausted nor
// stopped keeps its goroutine.
func iterPull(seq any) (next, stop any) {
	sv := reflect.ValueOf(seq)
	yieldT := sv.Type().In(0)
	var elems []reflect.Type
	for i := range yieldT.NumIn() {
		elems = append(elems, yieldT.In(i))
	}
	zeros := make([]reflect.Value, 0, len(elems)+1)
	for _, t := range elems {
		zeros = append(zeros, reflect.Zero(t))
	}
	zeros = append(zeros, reflect.ValueOf(false))

	type handover struct {
		values   []reflect.Value // nil when seq has returned
		panicked bool
		p        any
	}
	resume := make(chan bool) // true: go on; false: stop
	out := make(chan handover)
	started, done := false, false
	run := func() {
		var h handover
		defer func() {
			if r := recover(); r != nil {
				h = handover{panicked: true, p: r}
			}
			out <- h
		}()
		stopped := false
		yield := reflect.MakeFunc(yieldT, func(args []reflect.Value) []reflect.Value {
			if stopped {
				return []reflect.Value{reflect.ValueOf(false)}
			}
			out <- handover{values: append(args[:len(args):len(args)], reflect.ValueOf(true))}
			stopped = !<-resume
			return []reflect.Value{reflect.ValueOf(!stopped)}
		})
		sv.Call([]reflect.Value{yield})
	}
	// wait takes what seq hands over after a start or a resume.
	wait := func() []reflect.Value {
		h := <-out
		if h.values == nil {
			done = true
			if h.panicked {
				panic(h.p)
			}
			return zeros
		}
		return h.values
	}
	nextT := reflect.FuncOf(nil, append(append([]reflect.Type(nil), elems...), reflect.TypeFor[bool]()), false)
	next = reflect.MakeFunc(nextT, func([]reflect.Value) []reflect.Value {
		switch {
		case done:
			return zeros
		case !started:
			started = true
			go run()
		default:
			resume <- true
		}
		return wait()
	}).Interface()
	stop = func() {
		switch {
		case done:
			return
		case !started:
			done = true
			return
		}
		resume <- false
		// seq may yield again after its yield returned false; its yields
		// return false from now on, until it returns.
		for !done {
			wait()
		}
	}
	return next, stop
}

// errorsAsType is errors.AsType, through the cells' errors.As
// (errorsnames.go): target is a nil *E, for E.
func (s *Session) errorsAsType(err error, target any) (any, bool) {
	p := reflect.New(reflect.TypeOf(target).Elem())
	if s.errorsAs(err, p.Interface()) {
		return p.Elem().Interface(), true
	}
	return nil, false
}

// slicesInsert is slices.Insert: vs inserted at i, in s's array when it
// has room, as the standard library's does; i beyond len(s) panics as
// slicing does. An untyped constant argument arrives in its default type
// and is converted to the element type.
func slicesInsert(s any, i int, vs ...any) any {
	v := sliceOf(s)
	n := v.Len()
	if i < 0 || i > n {
		panic(fmt.Sprintf("runtime error: slice bounds out of range [%d:%d]", i, n))
	}
	elem := v.Type().Elem()
	ins := reflect.MakeSlice(v.Type(), 0, len(vs))
	for _, x := range vs {
		xv := reflect.ValueOf(x)
		if !xv.IsValid() {
			xv = reflect.Zero(elem)
		} else if xv.Type() != elem && xv.Type().ConvertibleTo(elem) && !xv.Type().AssignableTo(elem) {
			xv = xv.Convert(elem)
		}
		ins = reflect.Append(ins, xv)
	}
	m := len(vs)
	if n+m <= v.Cap() {
		out := v.Slice(0, n+m)
		reflect.Copy(out.Slice(i+m, n+m), v.Slice(i, n)) // a memmove: overlap is fine
		reflect.Copy(out.Slice(i, i+m), ins)
		return out.Interface()
	}
	out := reflect.MakeSlice(v.Type(), 0, n+m)
	out = reflect.AppendSlice(out, v.Slice(0, i))
	out = reflect.AppendSlice(out, ins)
	out = reflect.AppendSlice(out, v.Slice(i, n))
	return out.Interface()
}
