package eval

import (
	"go/token"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"gomp/backend"
	"gomp/help"
)

// Complete proposes completions for the code at cursor (a rune offset):
// package paths inside an import string, a package's members after "pkg.",
// fields and methods after "v." for a session variable, and otherwise the
// session's names, keywords and builtins.
func (s *Session) Complete(code string, cursor int) backend.Completion {
	s.exec.Lock() // the session's names; a running cell finishes first
	defer s.exec.Unlock()
	byteCur := runeToByte(code, cursor)
	before := code[:byteCur]
	reply := func(startByte int, matches []string) backend.Completion {
		sort.Strings(matches)
		matches = dedupe(matches)
		return backend.Completion{
			Matches:     matches,
			CursorStart: utf8.RuneCountInString(code[:startByte]),
			CursorEnd:   cursor,
			Metadata:    map[string]any{},
		}
	}

	if start, prefix, ok := importStringAt(before); ok {
		var m []string
		for _, p := range s.importablePackages() {
			if strings.HasPrefix(p, prefix) {
				m = append(m, p)
			}
		}
		return reply(start, m)
	}

	wordStart := byteCur
	for wordStart > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:wordStart])
		if !isIdentRune(r) {
			break
		}
		wordStart -= size
	}
	prefix := code[wordStart:byteCur]

	// A selector: pkg.Pre or v.Pre.
	if wordStart > 0 && code[wordStart-1] == '.' {
		recvEnd := wordStart - 1
		recvStart := recvEnd
		for recvStart > 0 {
			r, size := utf8.DecodeLastRuneInString(code[:recvStart])
			if !isIdentRune(r) {
				break
			}
			recvStart -= size
		}
		recv := code[recvStart:recvEnd]
		var m []string
		for _, name := range s.selectorNames(recv) {
			if strings.HasPrefix(name, prefix) {
				m = append(m, name)
			}
		}
		return reply(wordStart, m)
	}

	var m []string
	for _, name := range s.scopeNames() {
		if strings.HasPrefix(name, prefix) && name != prefix || prefix == "" {
			m = append(m, name)
		}
	}
	return reply(wordStart, m)
}

// selectorNames lists what may follow "recv.": an imported (or importable)
// package's exported names, or a session variable's fields and methods.
func (s *Session) selectorNames(recv string) []string {
	if path, ok := s.packagePath(recv); ok {
		var names []string
		for _, m := range help.Members(path) {
			names = append(names, m.Name)
		}
		return names
	}
	v, ok := globalsOf(s.in)[recv]
	if !ok || !v.IsValid() {
		return nil
	}
	names := memberNames(v.Type())
	// Methods of the session's own types are invisible to reflection.
	t := v.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if typeName, ok := s.typeNamesOf(s.in, s.decls)[t]; ok {
		for _, e := range s.decls.entries {
			for _, k := range e.keys {
				if m, ok := strings.CutPrefix(k, "method "+typeName+"."); ok {
					names = append(names, m)
				}
			}
		}
	}
	return names
}

// memberNames lists the exported fields and methods of a type (and of the
// pointer to it, which a variable can call).
func memberNames(t reflect.Type) []string {
	var names []string
	pt := t
	if t.Kind() != reflect.Pointer {
		pt = reflect.PointerTo(t)
	}
	for i := range pt.NumMethod() {
		names = append(names, pt.Method(i).Name)
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		for i := range st.NumField() {
			names = append(names, sourceFieldName(st.Field(i).Name))
		}
	}
	return names
}

// scopeNames are the names a cell can use unqualified.
func (s *Session) scopeNames() []string {
	var names []string
	for _, k := range goKeywords {
		names = append(names, k)
	}
	names = append(names, goBuiltins...)
	for name := range globalsOf(s.in) {
		if !strings.HasPrefix(name, "__gomp") {
			names = append(names, name)
		}
	}
	for _, e := range s.decls.entries {
		for _, k := range e.keys {
			if _, name, ok := strings.Cut(k, " "); ok && !strings.Contains(name, ".") {
				names = append(names, name)
			}
		}
	}
	for _, is := range s.imports {
		names = append(names, is.localName())
	}
	return names
}

var goKeywords = func() []string {
	var k []string
	for t := token.BREAK; t <= token.VAR; t++ {
		if t.IsKeyword() {
			k = append(k, t.String())
		}
	}
	return k
}()

var goBuiltins = []string{
	"append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min",
	"new", "panic", "print", "println", "real", "recover",
	"any", "bool", "byte", "comparable", "complex64", "complex128", "error", "float32", "float64",
	"int", "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
	"true", "false", "iota", "nil",
}

// packagePath resolves a package name used in a cell: the session's imports
// first, then any importable package whose last element is the name.
func (s *Session) packagePath(name string) (string, bool) {
	for _, is := range s.imports {
		if is.localName() == name {
			return is.path, true
		}
	}
	best := ""
	for _, p := range s.importablePackages() {
		if p == name || strings.HasSuffix(p, "/"+name) {
			if best == "" || len(p) < len(best) {
				best = p
			}
		}
	}
	return best, best != ""
}

func (s *Session) importablePackages() []string {
	return help.Packages()
}

// importStringAt reports whether the text before the cursor ends inside the
// string of an import spec, and returns where that string's content starts.
func importStringAt(before string) (start int, prefix string, ok bool) {
	q := strings.LastIndexByte(before, '"')
	if q < 0 || strings.ContainsAny(before[q+1:], "\"\n") {
		return 0, "", false
	}
	// An opening quote: an odd number of quotes on the line.
	lineStart := strings.LastIndexByte(before[:q], '\n') + 1
	line := before[lineStart:q]
	if strings.Count(line, `"`)%2 != 0 {
		return 0, "", false
	}
	head := strings.TrimSpace(line)
	inBlock := false
	if open := strings.LastIndex(before[:q], "import ("); open >= 0 && !strings.Contains(before[open:q], ")") {
		inBlock = true
	}
	isIdent := func(s string) bool {
		for _, r := range s {
			if !isIdentRune(r) && r != '.' {
				return false
			}
		}
		return true
	}
	head = strings.TrimSpace(strings.TrimPrefix(head, "import"))
	if !(strings.HasPrefix(strings.TrimSpace(line), "import") || inBlock) || !isIdent(head) {
		return 0, "", false
	}
	return q + 1, before[q+1:], true
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// runeToByte converts a rune offset (the messaging spec's cursor_pos) to a
// byte offset, clamped to the code.
func runeToByte(code string, runes int) int {
	if runes <= 0 {
		return 0
	}
	i := 0
	for n := 0; n < runes && i < len(code); n++ {
		_, size := utf8.DecodeRuneInString(code[i:])
		i += size
	}
	return i
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
