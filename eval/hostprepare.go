package eval

import (
	"fmt"
	"reflect"

	"gomp/mp"
)

// Prepare finds a target once and returns a function that calls it
// (mp.Host): a Pool's worker calls one target for many tasks, and finding
// it (compiling its name) costs far more than a call.
func (s *Session) Prepare(t mp.Target) (func([]reflect.Value) ([]reflect.Value, error), error) {
	fn, err := s.targetFunc(t)
	if err != nil {
		return nil, fmt.Errorf("mp: finding %s in this process: %w", t.Func, withoutUnitPositions(err))
	}
	ft := fn.Type()
	return func(args []reflect.Value) (out []reflect.Value, err error) {
		in, err := fitArgs(t.Func, ft, args)
		if err != nil {
			return nil, err
		}
		defer func() {
			if r := recover(); r != nil {
				out, err = nil, s.targetError(r)
			}
		}()
		s.traces.take() // traces of panics the task recovered itself are not its own
		return fn.Call(in), nil
	}, nil
}
