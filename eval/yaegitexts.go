package eval

import (
	"errors"
	"regexp"
	"strings"
)

// The texts of yaegi v0.16.1 that gomp matches, in one place: when yaegi
// changes them, this file and its test (TestYaegiRuntimeErrorsInGoWords)
// are what to update.
//
// yaegi runs most operations through reflect, so a Go runtime error often
// reaches a cell as reflect's panic string ("reflect: slice index out of
// range"), or with yaegi's own position in front ("gomp6.go:2:6: interface
// conversion: ..."). goRuntimeError turns those into the error the Go
// runtime raises for the same mistake, worded as it words it, so that a
// cell's recover, the traceback and the differential tests see Go's error.

// yaegiRuntimeTexts maps reflect's panic texts to the Go runtime's.
var yaegiRuntimeTexts = []struct {
	match func(string) bool
	goMsg string
}{
	{func(s string) bool {
		return s == "reflect: slice index out of range" || s == "reflect: array index out of range" || s == "reflect: string index out of range"
	},
		"index out of range"},
	{func(s string) bool {
		return strings.HasPrefix(s, "reflect: slice bounds out of range") || s == "reflect.Value.Slice: slice index out of bounds" || strings.HasPrefix(s, "reflect.Value.Slice3: ")
	},
		"slice bounds out of range"},
	{func(s string) bool {
		return strings.HasPrefix(s, "reflect: call of reflect.Value.") && strings.HasSuffix(s, " on zero Value")
	}, "invalid memory address or nil pointer dereference"},
	{func(s string) bool { return s == "reflect: indirection through nil pointer to embedded struct" },
		"invalid memory address or nil pointer dereference"},
}

// yaegiPosition is the position yaegi puts before some of its panics.
var yaegiPosition = regexp.MustCompile(`^` + unitFilePattern + `:\d+:\d+: `)

// goRuntimeError is the Go runtime's error for a panic value that came
// from yaegi's handling of a runtime mistake; ok is false for other values.
func goRuntimeError(v any) (*runtimeError, bool) {
	s, isString := v.(string)
	if !isString {
		if e, isErr := v.(error); isErr {
			s = e.Error()
		} else {
			return nil, false
		}
	}
	for _, t := range yaegiRuntimeTexts {
		if t.match(s) {
			return &runtimeError{t.goMsg}, true
		}
	}
	if loc := yaegiPosition.FindStringIndex(s); loc != nil {
		rest := s[loc[1]:]
		if strings.HasPrefix(rest, "interface conversion: ") {
			return &runtimeError{rest}, true
		}
	}
	return nil, false
}

// runtimeError is a Go runtime error raised in interpreted code: it
// satisfies runtime.Error and prints as the runtime's own.
type runtimeError struct{ msg string }

func (e *runtimeError) RuntimeError() {}

func (e *runtimeError) Error() string {
	if strings.HasPrefix(e.msg, "interface conversion: ") {
		return e.msg // as *runtime.TypeAssertionError words it
	}
	return "runtime error: " + e.msg
}

// recovered is what recover() gives a cell: the panic's value, with
// yaegi's runtime panics as the Go runtime's errors.
func recovered(v any) any {
	if e, ok := goRuntimeError(v); ok {
		return e
	}
	return v
}

// unitPositions are yaegi's positions in gomp's own units ("gomp6.go:1:28: ").
var unitPositions = regexp.MustCompile(unitFilePattern + `:\d+(?::\d+)?: `)

// withoutUnitPositions drops yaegi's positions in gomp's own compiled text
// (an expression gomp compiles to find a target) from an error, whose
// file names would mean nothing to the user.
func withoutUnitPositions(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(cleanHelperNames(unitPositions.ReplaceAllString(err.Error(), "")))
}
