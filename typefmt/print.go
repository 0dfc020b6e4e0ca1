package typefmt

import (
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// flags are one directive's flags, width and precision, as fmt keeps them.
type flags struct {
	sharp, zero, plus, minus, space bool
	sharpV, plusV                   bool // %#v and %+v
	wid, prec                       int
	widPresent, precPresent         bool
}

// printer is the state of one call, like fmt's pp.
type printer struct {
	pr  *Printer
	buf []byte
	f   flags

	wrapErrs  bool  // Errorf: %w wraps
	wrapped   []int // the argument numbers of %w
	reordered bool  // an explicit argument index was used
	goodArg   bool
	erroring  bool // printing a bad verb's operand: no methods
	panicking bool
	// top is what a stand-in said of the operand being printed (its name:
	// %#v of a composite spells it, main.Names{"a"}; a struct's field
	// names), for the value at depth topDepth (1: what a pointer operand
	// points to, Type.Elem).
	top      *Type
	topDepth int

	// the last directive spelled, for the leaves of one operand
	dir      string
	dirVerb  rune
	dirFlags flags
}

func (p *printer) write(s string) { p.buf = append(p.buf, s...) }

// directive spells the current flags and verb for the real fmt.
func (p *printer) directive(verb rune) string {
	if p.dir == "" || p.dirVerb != verb || p.dirFlags != p.f {
		p.dir, p.dirVerb, p.dirFlags = directive(p.f, verb), verb, p.f
	}
	return p.dir
}

// directive spells f and verb for the real fmt. For %v, fmt reads '#' and
// '+' as Go syntax and field names.
func directive(f flags, verb rune) string {
	b := make([]byte, 0, 16)
	b = append(b, '%')
	sharp, plus := f.sharp || f.sharpV, f.plus || f.plusV
	if verb == 'v' {
		sharp, plus = f.sharpV, f.plusV
	}
	if sharp {
		b = append(b, '#')
	}
	if plus {
		b = append(b, '+')
	}
	if f.minus {
		b = append(b, '-')
	}
	if f.space {
		b = append(b, ' ')
	}
	if f.zero {
		b = append(b, '0')
	}
	if f.widPresent {
		b = strconv.AppendInt(b, int64(f.wid), 10)
	}
	if f.precPresent {
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(f.prec), 10)
	}
	return string(utf8.AppendRune(b, verb))
}

// delegate prints arg as an operand of fmt with the current directive.
func (p *printer) delegate(arg any, verb rune) {
	p.buf = fmt.Appendf(p.buf, p.directive(verb), arg)
}

func (p *printer) describe(t reflect.Type) *Type {
	if name, ok := ownNames[t]; ok {
		return ownType(name)
	}
	if d, ok := ownDescriptions[t]; ok {
		return d
	}
	if p.pr.d == nil {
		return nil
	}
	return p.pr.d.Describe(t)
}

// ownType describes fmt's error types, which this package has its own of.
func ownType(name string) *Type {
	t := &Type{Name: name, Fields: []string{"msg", "err"}}
	if name[0] == '*' {
		t.Error = func(v reflect.Value) (string, bool) { return v.Interface().(error).Error(), true }
	}
	if name == "fmt.wrapErrors" {
		t.Fields = []string{"msg", "errs"}
	}
	return t
}

func init() {
	ownNames[reflect.TypeFor[wrapError]()] = "fmt.wrapError"
	ownNames[reflect.TypeFor[wrapErrors]()] = "fmt.wrapErrors"
}

func (p *printer) doPrint(a []any) {
	prevString := false
	for i, arg := range a {
		v, _ := p.unwrap(reflect.ValueOf(arg))
		isString := v.IsValid() && v.Kind() == reflect.String
		if i > 0 && !isString && !prevString {
			p.buf = append(p.buf, ' ')
		}
		p.printArg(arg, 'v')
		prevString = isString
	}
}

func (p *printer) doPrintln(a []any) {
	for i, arg := range a {
		if i > 0 {
			p.buf = append(p.buf, ' ')
		}
		p.printArg(arg, 'v')
	}
	p.buf = append(p.buf, '\n')
}

// unwrap returns the value a stand-in stands for (v itself otherwise), and
// what its stand-in said of it (nil: ask the Describer about its type).
func (p *printer) unwrap(v reflect.Value) (reflect.Value, *Type) {
	for i := 0; v.IsValid() && i < 4; i++ {
		d := p.describe(v.Type())
		if d == nil || d.Inner == nil {
			break
		}
		inner, over := d.Inner(v)
		if over != nil {
			return inner, over
		}
		v = inner
	}
	return v, nil
}

// typeName is %T of a value unwrap returned.
func (p *printer) typeName(v reflect.Value, over *Type, arg any) string {
	switch {
	case over != nil && over.Name != "":
		return over.Name
	case v.IsValid():
		return p.typeString(v.Type())
	}
	return reflect.TypeOf(arg).String()
}

// doPrintf follows fmt's doPrintf step by step, so that every malformed
// directive reads as fmt writes it.
func (p *printer) doPrintf(format string, a []any) {
	end := len(format)
	argNum := 0
	afterIndex := false
	p.reordered = false
formatLoop:
	for i := 0; i < end; {
		p.goodArg = true
		lasti := i
		for i < end && format[i] != '%' {
			i++
		}
		if i > lasti {
			p.write(format[lasti:i])
		}
		if i >= end {
			break
		}
		i++ // the '%'
		p.f = flags{}
	simpleFormat:
		for ; i < end; i++ {
			c := format[i]
			switch c {
			case '#':
				p.f.sharp = true
			case '0':
				p.f.zero = true
			case '+':
				p.f.plus = true
			case '-':
				p.f.minus = true
			case ' ':
				p.f.space = true
			default:
				if 'a' <= c && c <= 'z' && argNum < len(a) {
					switch c {
					case 'w':
						p.wrapped = append(p.wrapped, argNum)
						fallthrough
					case 'v':
						p.f.sharpV, p.f.sharp = p.f.sharp, false
						p.f.plusV, p.f.plus = p.f.plus, false
					}
					p.printArg(a[argNum], rune(c))
					argNum++
					i++
					continue formatLoop
				}
				break simpleFormat
			}
		}

		argNum, i, afterIndex = p.argNumber(argNum, format, i, len(a))

		if i < end && format[i] == '*' {
			i++
			p.f.wid, p.f.widPresent, argNum = intFromArg(a, argNum)
			if !p.f.widPresent {
				p.write("%!(BADWIDTH)")
			}
			if p.f.wid < 0 {
				p.f.wid = -p.f.wid
				p.f.minus = true
				p.f.zero = false
			}
			afterIndex = false
		} else {
			p.f.wid, p.f.widPresent, i = parsenum(format, i, end)
			if afterIndex && p.f.widPresent {
				p.goodArg = false
			}
		}

		if i+1 < end && format[i] == '.' {
			i++
			if afterIndex {
				p.goodArg = false
			}
			argNum, i, afterIndex = p.argNumber(argNum, format, i, len(a))
			if i < end && format[i] == '*' {
				i++
				p.f.prec, p.f.precPresent, argNum = intFromArg(a, argNum)
				if p.f.prec < 0 {
					p.f.prec = 0
					p.f.precPresent = false
				}
				if !p.f.precPresent {
					p.write("%!(BADPREC)")
				}
				afterIndex = false
			} else {
				p.f.prec, p.f.precPresent, i = parsenum(format, i, end)
				if !p.f.precPresent {
					p.f.prec = 0
					p.f.precPresent = true
				}
			}
		}

		if !afterIndex {
			argNum, i, afterIndex = p.argNumber(argNum, format, i, len(a))
		}

		if i >= end {
			p.write("%!(NOVERB)")
			break
		}

		verb, size := utf8.DecodeRuneInString(format[i:])
		i += size

		switch {
		case verb == '%':
			p.buf = append(p.buf, '%')
		case !p.goodArg:
			p.write("%!")
			p.buf = utf8.AppendRune(p.buf, verb)
			p.write("(BADINDEX)")
		case argNum >= len(a):
			p.write("%!")
			p.buf = utf8.AppendRune(p.buf, verb)
			p.write("(MISSING)")
		case verb == 'w':
			p.wrapped = append(p.wrapped, argNum)
			fallthrough
		case verb == 'v':
			p.f.sharpV, p.f.sharp = p.f.sharp, false
			p.f.plusV, p.f.plus = p.f.plus, false
			fallthrough
		default:
			p.printArg(a[argNum], verb)
			argNum++
		}
	}

	if !p.reordered && argNum < len(a) {
		p.f = flags{}
		p.write("%!(EXTRA ")
		for i, arg := range a[argNum:] {
			if i > 0 {
				p.write(", ")
			}
			if arg == nil {
				p.write("<nil>")
				continue
			}
			v, over := p.unwrap(reflect.ValueOf(arg))
			p.write(p.typeName(v, over, arg))
			p.buf = append(p.buf, '=')
			p.printArg(arg, 'v')
		}
		p.buf = append(p.buf, ')')
	}
}

func tooLarge(x int) bool {
	const max int = 1e6
	return x > max || x < -max
}

func parsenum(s string, start, end int) (num int, isnum bool, newi int) {
	if start >= end {
		return 0, false, end
	}
	for newi = start; newi < end && '0' <= s[newi] && s[newi] <= '9'; newi++ {
		if tooLarge(num) {
			return 0, false, end
		}
		num = num*10 + int(s[newi]-'0')
		isnum = true
	}
	return
}

func intFromArg(a []any, argNum int) (num int, isInt bool, newArgNum int) {
	newArgNum = argNum
	if argNum < len(a) {
		num, isInt = a[argNum].(int)
		if !isInt {
			switch v := reflect.ValueOf(a[argNum]); v.Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				n := v.Int()
				if int64(int(n)) == n {
					num, isInt = int(n), true
				}
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
				n := v.Uint()
				if int64(n) >= 0 && uint64(int(n)) == n {
					num, isInt = int(n), true
				}
			}
		}
		newArgNum = argNum + 1
		if tooLarge(num) {
			num, isInt = 0, false
		}
	}
	return
}

func parseArgNumber(format string) (index int, wid int, ok bool) {
	if len(format) < 3 {
		return 0, 1, false
	}
	for i := 1; i < len(format); i++ {
		if format[i] == ']' {
			width, ok, newi := parsenum(format, 1, i)
			if !ok || newi != i {
				return 0, i + 1, false
			}
			return width - 1, i + 1, true
		}
	}
	return 0, 1, false
}

func (p *printer) argNumber(argNum int, format string, i int, numArgs int) (newArgNum, newi int, found bool) {
	if len(format) <= i || format[i] != '[' {
		return argNum, i, false
	}
	p.reordered = true
	index, wid, ok := parseArgNumber(format[i:])
	if ok && 0 <= index && index < numArgs {
		return index, i + wid, true
	}
	p.goodArg = false
	return argNum, i + wid, ok
}
