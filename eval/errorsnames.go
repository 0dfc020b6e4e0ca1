package eval

import (
	"reflect"

	"gomp/typefmt"

	"github.com/traefik/yaegi/interp"
)

// errors.Is and errors.As for cells. yaegi hands compiled code a cell's
// error value inside a wrapper struct (IValue, WError) made afresh at each
// call, which is not comparable, so the real errors.Is never finds the
// target; and the real errors.As panics on a target of a cell's type
// (reflect sees no Error method on it). These follow errors' own rules,
// looking through the wrappers at the values they carry.

func (s *Session) errorsSymbols() interp.Exports {
	return interp.Exports{"errors/errors": {
		"Is": reflect.ValueOf(errorsIs),
		"As": reflect.ValueOf(s.errorsAs),
	}}
}

// carried is the value a typefmt.CarriedError carries (a cell's %w
// operand), the pointer a yaegi wrapper carries, or v itself. Only a
// pointer is taken from a wrapper: for a struct value, yaegi puts one of
// its fields there (see fmtTypes.carried).
func carried(v reflect.Value) reflect.Value {
	if v.IsValid() && v.Type() == carriedErrorType {
		return reflect.ValueOf(v.Interface().(*typefmt.CarriedError).Carried())
	}
	if v.IsValid() && v.Kind() == reflect.Struct && isWrapperType(v.Type()) {
		if iv := v.Field(0).Elem(); iv.Kind() == reflect.Pointer {
			return iv
		}
		return reflect.Value{}
	}
	return v
}

// sameError is err == target, through wrappers.
func sameError(err, target error) (same bool) {
	a, b := carried(reflect.ValueOf(err)), carried(reflect.ValueOf(target))
	if !a.IsValid() || !b.IsValid() || a.Type() != b.Type() || !a.Type().Comparable() {
		return false
	}
	defer func() {
		if recover() != nil { // a struct holding an uncomparable interface value
			same = false
		}
	}()
	return a.Interface() == b.Interface()
}

func errorsIs(err, target error) bool {
	if err == nil || target == nil {
		return err == target
	}
	for {
		if sameError(err, target) {
			return true
		}
		if x, ok := err.(interface{ Is(error) bool }); ok && x.Is(target) {
			return true
		}
		switch x := err.(type) {
		case interface{ Unwrap() error }:
			if err = x.Unwrap(); err == nil {
				return false
			}
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				if e != nil && errorsIs(e, target) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
}

var (
	errorType        = reflect.TypeFor[error]()
	carriedErrorType = reflect.TypeFor[*typefmt.CarriedError]()
)

func (s *Session) errorsAs(err error, target any) bool {
	if err == nil {
		return false
	}
	if target == nil {
		panic("errors: target cannot be nil")
	}
	val := reflect.ValueOf(target)
	typ := val.Type()
	if typ.Kind() != reflect.Pointer || val.IsNil() {
		panic("errors: target must be a non-nil pointer")
	}
	tt := typ.Elem()
	cellType := sessionTypes{s}.Describe(tt) != nil
	if tt.Kind() != reflect.Interface && !tt.Implements(errorType) && !cellType {
		panic("errors: *target must be interface or implement error")
	}
	for {
		if reflect.TypeOf(err).AssignableTo(tt) {
			val.Elem().Set(reflect.ValueOf(err))
			return true
		}
		if c := carried(reflect.ValueOf(err)); tt.Kind() != reflect.Interface && c.IsValid() && c.Type().AssignableTo(tt) {
			val.Elem().Set(c)
			return true
		}
		if x, ok := err.(interface{ As(any) bool }); ok && x.As(target) {
			return true
		}
		switch x := err.(type) {
		case interface{ Unwrap() error }:
			if err = x.Unwrap(); err == nil {
				return false
			}
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				if e != nil && s.errorsAs(e, target) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
}
