package eval

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"gomp/backend"
	"gomp/help"
)

// Inspect returns help about the symbol at cursor (Shift-Tab).
// It never waits for a running cell: the notebook's declarations are read
// under the state lock, and a variable's value is read from the interpreter
// only when no cell runs (its type, from the checker, is shown anyway).
func (s *Session) Inspect(code string, cursor int, detail int) backend.Inspection {
	idle := s.exec.TryLock()
	if idle {
		defer s.exec.Unlock()
	}
	s.state.RLock()
	defer s.state.RUnlock()
	sym := symbolAt(code, runeToByte(code, cursor))
	if sym == "" {
		return backend.Inspection{}
	}
	data, ok := s.inspectSymbol(sym, detail, idle)
	return backend.Inspection{Found: ok, Data: data}
}

// symbolAt returns the dotted name around (or just before) offset: for
// "fmt.Pri|ntln(" it is "fmt.Println"; for "fmt.Println(|" it is
// "fmt.Println", the call being written.
func symbolAt(code string, offset int) string {
	isPart := func(r rune) bool { return isIdentRune(r) || r == '.' }
	start, end := offset, offset
	for end < len(code) {
		r, size := utf8.DecodeRuneInString(code[end:])
		if !isPart(r) {
			break
		}
		end += size
	}
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:start])
		if !isPart(r) {
			break
		}
		start -= size
	}
	if start == end && start > 0 && code[start-1] == '(' {
		return symbolAt(code, start-1)
	}
	return strings.Trim(code[start:end], ".")
}

// inspectSymbol documents a dotted name: a package member (fmt.Println,
// strings.Builder.WriteString), a package, a builtin, or the session's own
// declarations and variables.
func (s *Session) inspectSymbol(sym string, detail int, idle bool) (backend.MIMEBundle, bool) {
	head, rest, dotted := strings.Cut(sym, ".")
	if own, ok := s.sessionDoc(head, rest, detail, idle); ok {
		return own, true
	}
	if path, ok := s.packagePath(head); ok {
		if d, ok := help.Lookup(path, rest); ok {
			return help.Bundle(d, detail), true
		}
	}
	if !dotted {
		if d, ok := help.Lookup("builtin", sym); ok {
			return help.Bundle(d, detail), true
		}
	}
	return nil, false
}

// sessionDoc documents what the notebook declared: a func, type, method or
// const (its source, with its doc comment), or a global variable (its type
// and value).
func (s *Session) sessionDoc(head, rest string, detail int, idle bool) (backend.MIMEBundle, bool) {
	keys := []string{"func " + head, "type " + head, "const " + head}
	if rest != "" {
		keys = []string{"method " + head + "." + rest}
	}
	for _, k := range keys {
		if _, e := s.decls.find(k); e != nil {
			return sourceBundle(e.text, s.units.label(e.file)), true
		}
	}
	if !idle {
		// A cell is running: the checker's type, without the value.
		if typ, ok := s.checkedType(head); ok && rest == "" {
			text := fmt.Sprintf("var %s %s\n\nValue: (a cell is running)", head, typ)
			return backend.MIMEBundle{"text/plain": text, "text/markdown": "```go\nvar " + head + " " + typ + "\n```"}, true
		}
		return nil, false
	}
	v, ok := globalsOf(s.in)[head]
	if !ok || !v.IsValid() {
		return nil, false
	}
	if rest != "" {
		// A method of a variable of a library type: document the method.
		t := v.Type()
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.PkgPath() != "" {
			if d, ok := help.Lookup(t.PkgPath(), t.Name()+"."+rest); ok {
				return help.Bundle(d, detail), true
			}
		}
		return nil, false
	}
	typ, ok := typeSource(v.Type(), s.typeNamesOf(s.in, s.decls), s.imports)
	if !ok {
		typ = v.Type().String()
	}
	value := formatValue(v.Interface(), s.sprintf)
	if len(value) > 2000 {
		value = value[:2000] + "…"
	}
	text := fmt.Sprintf("var %s %s\n\nValue: %s", head, typ, value)
	return backend.MIMEBundle{
		"text/plain":    text,
		"text/markdown": "```go\nvar " + head + " " + typ + "\n```\n\nValue: `" + value + "`",
	}, true
}

// sourceBundle shows a declaration's source.
func sourceBundle(src, where string) backend.MIMEBundle {
	return backend.MIMEBundle{
		"text/plain":    src + "\n\nDeclared in " + where,
		"text/markdown": "```go\n" + src + "\n```\n\nDeclared in " + where,
	}
}
