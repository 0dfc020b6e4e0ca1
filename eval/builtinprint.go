package eval

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// builtinPrint is Go's print (println when line is set) for cells: like the
// compiled builtins it writes to standard error, in the runtime's own
// formats (pointers in hex). yaegi's builtins
// write to standard output with fmt's formats.
func (s *Session) builtinPrint(line bool) func(args ...any) {
	return func(args ...any) {
		var b strings.Builder
		for i, a := range args {
			if line && i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(runtimeFormat(a))
		}
		if line {
			b.WriteByte('\n')
		}
		s.stderr.Write([]byte(b.String()))
	}
}

// runtimeFormat writes one argument of print as the Go runtime does.
func runtimeFormat(a any) string {
	if a == nil {
		return "(0x0,0x0)" // a nil interface
	}
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return runtimeFloat(v.Float(), v.Type().Bits())
	case reflect.Complex64, reflect.Complex128:
		c, bits := v.Complex(), v.Type().Bits()/2
		im := runtimeFloat(imag(c), bits)
		if im[0] != '-' && im[0] != '+' {
			im = "+" + im
		}
		return "(" + runtimeFloat(real(c), bits) + im + "i)"
	case reflect.String:
		return v.String()
	case reflect.Slice:
		return fmt.Sprintf("[%d/%d]%#x", v.Len(), v.Cap(), v.Pointer())
	case reflect.Pointer, reflect.Chan, reflect.Map, reflect.Func, reflect.UnsafePointer:
		return fmt.Sprintf("%#x", v.Pointer())
	}
	return fmt.Sprintf("(%p,%p)", reflect.TypeOf(a), &a) // an interface: its type and data words
}

// runtimeFloat is the runtime's float format since Go 1.25: the shortest
// decimal that reads back as the same value, with an exponent when large
// or small (1e+300, 1e-07), and +Inf, -Inf, NaN.
func runtimeFloat(v float64, bits int) string {
	s := strconv.FormatFloat(v, 'g', -1, bits)
	if s == "Inf" {
		return "+Inf"
	}
	return s
}
