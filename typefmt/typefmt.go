// Package typefmt prints like package fmt, but lets its caller name types
// that reflection cannot: an interpreter's types, which reflect sees as
// unnamed structs with renamed fields and without their methods.
//
// A Printer walks each operand the way fmt does and asks its Describer about
// every type it meets. Whatever involves no described type is handed to the
// real fmt with the same verb, flags, width and precision, so output that
// involves no described type is fmt's own, byte for byte. Only the structure
// around described types (their names, field names, methods, and the
// composite values holding them) is written here, following fmt's rules.
package typefmt

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sync"
)

// A Describer tells a Printer about the types it knows better than reflect.
type Describer interface {
	// Describe returns what the printer should know about t, nil when t is
	// to be printed as fmt would. It is asked about every type an operand
	// holds, from any goroutine that prints: it must be cheap and safe for
	// concurrent use.
	Describe(t reflect.Type) *Type
}

// Type is what a Describer knows about a type.
type Type struct {
	// Name is the type's name as %T shows it ("main.point"); empty to spell
	// it from its structure (e.g. for a pointer type that only has methods).
	Name string
	// Fields are a struct's field names as its source declares them, in
	// order. A field whose name is not exported in the source is printed
	// without its methods, as fmt does for unexported fields.
	Fields []string
	// The type's methods, nil when it has none. Each returns false when it
	// could not call the method; the value is then printed without it.
	String, Error, GoString func(reflect.Value) (string, bool)
	Format                  func(v reflect.Value, f fmt.State, verb rune) bool
	// Inner, when set, says that values of this type stand in for another
	// value (an interpreter's wrapper giving an interface's methods to a
	// value); they print as that value, with this Type's methods first.
	// Inner returns the value, and what to know of it that its reflect type
	// does not say (nil: what the Describer says of its type). It returns
	// an invalid value when the stand-in does not carry the value it stands
	// for: then only %T (from the returned Type's Name) and the methods can
	// print it, and every other verb prints its Error or String method.
	Inner func(reflect.Value) (reflect.Value, *Type)
	// Elem, in what Inner returns for a pointer, describes the value it
	// points to, for the printing of &{...}.
	Elem *Type
}

// Printer formats values as fmt does, with the names of its Describer.
type Printer struct {
	d Describer
	// Stdout is where Print, Printf and Println write.
	Stdout io.Writer
}

// New returns a printer whose types are described by d (nil: fmt's own).
func New(d Describer, stdout io.Writer) *Printer {
	return &Printer{d: d, Stdout: stdout}
}

var printers = sync.Pool{New: func() any { return new(printer) }}

func (pr *Printer) get() *printer {
	p := printers.Get().(*printer)
	p.pr = pr
	return p
}

func (p *printer) free() {
	if cap(p.buf) > 64<<10 {
		return
	}
	*p = printer{buf: p.buf[:0], wrapped: p.wrapped[:0]}
	printers.Put(p)
}

// plain tells whether no operand involves a described type: fmt then
// prints the whole call.
func (p *printer) plain(a []any) bool {
	for _, arg := range a {
		if arg != nil && p.needs(reflect.ValueOf(arg), 0) {
			return false
		}
	}
	return true
}

// Sprintf is fmt.Sprintf.
func (pr *Printer) Sprintf(format string, a ...any) string {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Sprintf(format, a...)
	}
	p.doPrintf(format, a)
	return string(p.buf)
}

// Sprint is fmt.Sprint.
func (pr *Printer) Sprint(a ...any) string {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Sprint(a...)
	}
	p.doPrint(a)
	return string(p.buf)
}

// Sprintln is fmt.Sprintln.
func (pr *Printer) Sprintln(a ...any) string {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Sprintln(a...)
	}
	p.doPrintln(a)
	return string(p.buf)
}

// Fprintf is fmt.Fprintf.
func (pr *Printer) Fprintf(w io.Writer, format string, a ...any) (int, error) {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Fprintf(w, format, a...)
	}
	p.doPrintf(format, a)
	return w.Write(p.buf)
}

// Fprint is fmt.Fprint.
func (pr *Printer) Fprint(w io.Writer, a ...any) (int, error) {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Fprint(w, a...)
	}
	p.doPrint(a)
	return w.Write(p.buf)
}

// Fprintln is fmt.Fprintln.
func (pr *Printer) Fprintln(w io.Writer, a ...any) (int, error) {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Fprintln(w, a...)
	}
	p.doPrintln(a)
	return w.Write(p.buf)
}

// Appendf is fmt.Appendf.
func (pr *Printer) Appendf(b []byte, format string, a ...any) []byte {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Appendf(b, format, a...)
	}
	p.doPrintf(format, a)
	return append(b, p.buf...)
}

// Append is fmt.Append.
func (pr *Printer) Append(b []byte, a ...any) []byte {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Append(b, a...)
	}
	p.doPrint(a)
	return append(b, p.buf...)
}

// Appendln is fmt.Appendln.
func (pr *Printer) Appendln(b []byte, a ...any) []byte {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Appendln(b, a...)
	}
	p.doPrintln(a)
	return append(b, p.buf...)
}

// Printf is fmt.Printf, writing to pr.Stdout.
func (pr *Printer) Printf(format string, a ...any) (int, error) {
	return pr.Fprintf(pr.Stdout, format, a...)
}

// Print is fmt.Print, writing to pr.Stdout.
func (pr *Printer) Print(a ...any) (int, error) { return pr.Fprint(pr.Stdout, a...) }

// Println is fmt.Println, writing to pr.Stdout.
func (pr *Printer) Println(a ...any) (int, error) { return pr.Fprintln(pr.Stdout, a...) }

// Errorf is fmt.Errorf: %w wraps its operand, so errors.Unwrap, Is and As
// see it.
func (pr *Printer) Errorf(format string, a ...any) error {
	p := pr.get()
	defer p.free()
	if p.plain(a) {
		return fmt.Errorf(format, a...)
	}
	p.wrapErrs = true
	p.doPrintf(format, a)
	s := string(p.buf)
	switch len(p.wrapped) {
	case 0:
		return errors.New(s)
	case 1:
		return &wrapError{msg: s, err: p.asError(a[p.wrapped[0]])}
	}
	if p.reordered {
		slices.Sort(p.wrapped)
	}
	var errs []error
	for i, n := range p.wrapped {
		if i > 0 && p.wrapped[i-1] == n {
			continue
		}
		if e := p.asError(a[n]); e != nil {
			errs = append(errs, e)
		}
	}
	return &wrapErrors{s, errs}
}

// asError is a %w operand as the error it wraps: itself when it is one,
// a CarriedError when only the Describer knows its Error method (an
// interpreter's value, which reflect sees without methods), nil otherwise.
func (p *printer) asError(a any) error {
	if e, ok := a.(error); ok || a == nil {
		return e
	}
	v := reflect.ValueOf(a)
	d := p.describe(v.Type())
	if d == nil || d.Error == nil {
		return nil
	}
	return &CarriedError{v: a, msg: func() string { s, _ := d.Error(v); return s }}
}

// CarriedError gives the error interface to a %w operand whose Error method
// only the Describer can call, so that errors.Unwrap and Is reach it; it
// prints as the value it carries.
type CarriedError struct {
	v   any
	msg func() string
}

func (e *CarriedError) Error() string { return e.msg() }

// Carried is the operand.
func (e *CarriedError) Carried() any { return e.v }

func init() {
	carried := &Type{Inner: func(v reflect.Value) (reflect.Value, *Type) {
		return reflect.ValueOf(v.Interface().(*CarriedError).v), nil
	}}
	ownDescriptions[reflect.TypeFor[*CarriedError]()] = carried
}

// wrapError and wrapErrors are fmt's own error types for %w; %T names them
// as fmt's.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

type wrapErrors struct {
	msg  string
	errs []error
}

func (e *wrapErrors) Error() string   { return e.msg }
func (e *wrapErrors) Unwrap() []error { return e.errs }

var ownNames = map[reflect.Type]string{
	reflect.TypeFor[*wrapError]():  "*fmt.wrapError",
	reflect.TypeFor[*wrapErrors](): "*fmt.wrapErrors",
}

// ownDescriptions describe this package's other stand-ins.
var ownDescriptions = map[reflect.Type]*Type{}
