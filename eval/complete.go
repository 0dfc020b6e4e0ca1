package eval

import (
	"go/scanner"
	"go/token"
	"go/types"
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
//
// Names come from the type checker, run on the cell as it is being typed:
// what is in scope at the cursor, the members of the expression before the
// dot, whatever its type. Nothing here waits for a running cell.
func (s *Session) Complete(code string, cursor int) backend.Completion {
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

	// The word being completed is left out of the code checked (a selector
	// gets a placeholder name), so what is before it decides.
	probe := code[:wordStart] + code[byteCur:]
	selector := wordStart > 0 && code[wordStart-1] == '.'
	if selector {
		probe = code[:wordStart] + "_" + code[byteCur:]
	}
	facts := s.editorFacts(probe + closers(probe))
	var names []string
	if selector {
		names = s.memberNamesAt(facts, code, wordStart-1)
	} else {
		names = scopeNames(facts, wordStart)
	}
	var m []string
	for _, name := range names {
		if strings.HasPrefix(name, prefix) && (name != prefix || prefix == "") && !strings.HasPrefix(name, "__gomp") {
			m = append(m, name)
		}
	}
	return reply(wordStart, m)
}

// memberNamesAt lists what may follow the dot at dot: a package's exported
// names, or the fields and methods of the expression before it.
func (s *Session) memberNamesAt(facts *cellFacts, code string, dot int) []string {
	recvStart := dot
	for recvStart > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:recvStart])
		if !isIdentRune(r) && r != '.' {
			break
		}
		recvStart -= size
	}
	recv := code[recvStart:dot]
	if facts != nil {
		if pn, ok := facts.object(recvStart).(*types.PkgName); ok && !strings.Contains(recv, ".") {
			var names []string
			for _, n := range pn.Imported().Scope().Names() {
				if token.IsExported(n) {
					names = append(names, n)
				}
			}
			return names
		}
		// The receiver is the outermost expression that ends at the dot
		// (workers[0], f(x).Field): its type decides.
		var best *span
		var bestType types.Type
		for sp, tv := range facts.types {
			if sp.end == dot && tv.Type != nil && (best == nil || sp.start < best.start) {
				b := sp
				best, bestType = &b, tv.Type
			}
		}
		if best != nil {
			if tv, _ := facts.tv(best.start, best.end); tv.IsType() {
				return nil
			}
			return typeMembers(bestType)
		}
	}
	// A package not imported yet: its members, as help knows them.
	if path, ok := s.packagePath(recv); ok {
		var names []string
		for _, m := range help.Members(path) {
			names = append(names, m.Name)
		}
		return names
	}
	return nil
}

// typeMembers lists the fields (promoted ones included) and methods a value
// of type t can use, its pointer's methods too.
func typeMembers(t types.Type) []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		if _, isPtr := t.(*types.Pointer); isPtr && tt != t {
			continue
		}
		ms := types.NewMethodSet(tt)
		for i := range ms.Len() {
			add(ms.At(i).Obj().Name())
		}
	}
	var fields func(t types.Type, depth int)
	fields = func(t types.Type, depth int) {
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := t.Underlying().(*types.Struct)
		if !ok || depth > 3 {
			return
		}
		for i := range st.NumFields() {
			f := st.Field(i)
			add(f.Name())
			if f.Embedded() {
				fields(f.Type(), depth+1)
			}
		}
	}
	fields(t, 0)
	if iface, ok := t.Underlying().(*types.Interface); ok {
		for i := range iface.NumMethods() {
			add(iface.Method(i).Name())
		}
	}
	return names
}

// scopeNames are the names usable unqualified at a cell offset: those in
// scope there (the cell's locals, the notebook's declarations, imports and
// builtins), and the keywords.
func scopeNames(facts *cellFacts, off int) []string {
	names := append([]string(nil), goKeywords...)
	if facts == nil || facts.scopeAt == nil {
		return append(names, goBuiltins...)
	}
	for sc := facts.scopeAt(off); sc != nil; sc = sc.Parent() {
		names = append(names, sc.Names()...)
	}
	// Imports are file-scoped: the package scope does not list them.
	for _, is := range facts.imports {
		if n := is.localName(); n != "_" && n != "." {
			names = append(names, n)
		}
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

// closers returns what closes the brackets code leaves open, so the code
// being typed can be checked for completion ("func f() {\n\tx." gets "}").
func closers(code string) string {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	var sc scanner.Scanner
	sc.Init(file, []byte(code), nil, 0)
	var open []token.Token
	for {
		_, tok, _ := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LBRACE, token.LPAREN, token.LBRACK:
			open = append(open, tok)
		case token.RBRACE, token.RPAREN, token.RBRACK:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	var b strings.Builder
	for i := len(open) - 1; i >= 0; i-- {
		switch open[i] {
		case token.LBRACE:
			b.WriteString("\n}")
		case token.LPAREN:
			b.WriteString(")")
		case token.LBRACK:
			b.WriteString("]")
		}
	}
	return b.String()
}
