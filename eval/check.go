package eval

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// check is the second step of a cell's journey (DESIGN.md): the cell is
// type-checked with go/types as part of the session's package, before the
// interpreter sees it. What Go rejects is rejected here, in go build's
// words at the cell's own lines; and every later rewrite asks the facts
// gathered here (the type of an expression, what an identifier denotes)
// instead of guessing from syntax.
//
// The package checked is made of three files:
//
//   - the session: its imports, the declarations of earlier cells (their
//     source as the user wrote it, at their own cells' lines) and its global
//     variables, declared with the types an earlier check found;
//   - the cell's declarations (func, method, type, const), at their places;
//   - the cell's statements, at their places, inside a function: they run in
//     order, as a program's main does.
//
// Two notebook exceptions are applied to the errors: unused imports, and
// variables the cell declares at its top level (they are the notebook's
// globals, never "declared and not used"). Those variables are the
// package's: when the cell's declarations use them, the check runs a second
// time with them declared at package level, as the interpreter will have
// them.

// cellFacts is what the checker learnt of a cell, by byte offsets into the
// cell's source (units keep the cell's offsets, so a rewrite can look up
// any node it sees).
type cellFacts struct {
	types   map[span]types.TypeAndValue
	uses    map[int]types.Object // identifier's offset → what it denotes
	defs    map[int]types.Object // declaring identifier's offset → what it declares
	defAt   map[types.Object]int // the other way
	topVars []topVar             // declared by the cell's top-level statements, in order
	hoist   map[string]bool      // topVars the cell's declarations use: declared first
	imports []importSpec         // the imports in scope in the cell
	names   map[string]string    // package path → its name in the cell ("" for a dot import)
	main    bool                 // the cell declares func main
	// initPrefix names the cell's init functions (rewriter.renameInit),
	// which inits lists in the cell's order.
	initPrefix string
	inits      []string
	// wrappedInLog are the notebook's earlier functions that have a target
	// wrapper (rewriter.targetWrapper).
	wrappedInLog map[string]bool
	// scopeAt is the innermost scope at a cell offset (the package's
	// outside the cell's code).
	scopeAt func(off int) *types.Scope
	// pass is the check itself, for monomorphize; mono is what it made of
	// the notebook's generics (both nil without any).
	pass *checkPass
	mono *monoFacts
	// native is the compiled tier's view of the cell (native_gen.go); nil
	// when the tier is off.
	native *nativeCell
}

type span struct{ start, end int }

// topVar is a variable a cell's top-level statement declares.
type topVar struct {
	name  string
	typ   string   // its type as source, qualified for the globals file
	paths []string // the packages typ names
	// local is the type as the cell writes it, or "" when a package it
	// needs is not imported in the cell.
	local string
}

// typeOf returns the type of the expression at [start, end), nil if unknown.
func (f *cellFacts) typeOf(start, end int) types.Type {
	if f == nil {
		return nil
	}
	if tv, ok := f.types[span{start, end}]; ok {
		return tv.Type
	}
	return nil
}

// tv returns everything known of the expression at [start, end).
func (f *cellFacts) tv(start, end int) (types.TypeAndValue, bool) {
	if f == nil {
		return types.TypeAndValue{}, false
	}
	tv, ok := f.types[span{start, end}]
	return tv, ok
}

// builtin tells whether the identifier at off denotes the builtin name.
func (f *cellFacts) builtin(off int, name string) bool {
	if f == nil {
		return false
	}
	b, ok := f.uses[off].(*types.Builtin)
	return ok && b.Name() == name
}

// object returns what the identifier at off denotes.
func (f *cellFacts) object(off int) types.Object {
	if f == nil {
		return nil
	}
	return f.uses[off]
}

// typeString writes t as the cell's code can name it, or reports false.
func (f *cellFacts) typeString(t types.Type) (string, bool) {
	// iter.Seq and iter.Seq2 are written as the function types they are
	// defined as: yaegi has no package iter (see rewriter.iterType).
	if n, isNamed := t.(*types.Named); isNamed && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "iter" {
		t = n.Underlying()
	}
	ok := true
	s := types.TypeString(t, func(p *types.Package) string {
		if p.Path() == "main" {
			return ""
		}
		name, found := f.names[p.Path()]
		if !found {
			ok = false
		}
		return name
	})
	if strings.Contains(s, "untyped ") {
		s = types.TypeString(types.Default(t), nil)
	}
	return s, ok
}

// globalVar is a global variable of the session as the checker knows it.
type globalVar struct {
	name  string
	typ   string   // qualified with qualifiedName
	paths []string // packages typ names
	local string   // as the declaring cell wrote it, "" if it could not
}

// checkedType is a global's type as the checker wrote it in the cell's
// terms: for the globals whose reflect type cannot be written back as Go
// (the sync types gomp replaces with interruptible ones, say). The caller
// holds s.state.
func (s *Session) checkedType(name string) (string, bool) {
	for _, g := range s.globals {
		if g.name == name && g.local != "" {
			return g.local, true
		}
	}
	return "", false
}

// qualifiedName is the import name the globals file gives a package: it
// cannot clash with a user's names (cells never use __gomp names).
func qualifiedName(path string) string {
	return "__gompq_" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, path)
}

// checkError is a cell that Go rejects; its message lists the errors as go
// build words them, at the cells' lines.
type checkError struct {
	msgs []string
	line int
}

func (e *checkError) Error() string { return strings.Join(e.msgs, "\n") }

// goVersion is the language version cells are checked against: the Go
// gomp was built with, which kernel_info reports.
var goVersion = func() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return "go" + parts[0] + "." + strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	}
	return ""
}()

// cellSource is the cell split for the checker.
type cellSource struct {
	code                    string
	imports, decls, stmts   []piece
	comments                []piece
	lastExpr                *span // the final bare expression statement, if any
	declKeys                map[string]bool
	importSpecs             []importSpec
	importAt                map[string]int // import path → its offset in the cell
	packageName             string         // the cell's package clause, if any
	packageStart, packageAt int
}

// checkCell type-checks a cell against the session. It returns the facts,
// or a *checkError with Go's words for what is wrong.
func (s *Session) checkCell(cs *cellSource) (*cellFacts, error) {
	return s.checkCellIn(cs, nil)
}

// checkCellIn is checkCell against the session as world has it, when set
// (a monomorphized cell's second check: see monomorph.go).
func (s *Session) checkCellIn(cs *cellSource, world *monoWorld) (*cellFacts, error) {
	imp := sharedImporter
	// The cell's own imports first: an import that does not resolve is the
	// error, at its line, as go build says it.
	var paths []string
	for _, is := range cs.importSpecs {
		paths = append(paths, is.path)
	}
	s.state.RLock()
	for _, is := range s.imports {
		paths = append(paths, is.path)
	}
	globals := append([]globalVar(nil), s.globals...)
	entries := append([]*declEntry(nil), s.decls.entries...)
	sessionImports := append([]importSpec(nil), s.imports...)
	s.state.RUnlock()
	if world != nil {
		entries, globals = world.entries, world.globals
	}
	for _, g := range globals {
		paths = append(paths, g.paths...)
	}
	imp.prefetch(paths)
	var msgs []string
	firstLine := 0
	for _, is := range cs.importSpecs {
		if _, err := imp.Import(is.path); err != nil {
			line, col := lineCol(cs.code, cs.importAt[is.path])
			msgs = append(msgs, fmt.Sprintf("line %d, column %d: %v", line, col, err))
			if firstLine == 0 {
				firstLine = line
			}
		}
	}
	if len(msgs) > 0 {
		return nil, &checkError{msgs: msgs, line: firstLine}
	}

	merged := mergeImportSpecs(sessionImports, cs.importSpecs)
	facts, errs, undefinedTop := s.checkOnce(cs, merged, sessionImports, entries, globals, nil)
	if len(undefinedTop) > 0 && len(errs) == len(undefinedTop) {
		// The cell's declarations use variables its statements declare:
		// check again with them at package level, as they will run.
		used := map[string]bool{}
		for _, e := range undefinedTop {
			used[strings.TrimPrefix(e.msg, "undefined: ")] = true
		}
		facts, errs, _ = s.checkOnce(cs, merged, sessionImports, entries, globals, facts.topVars)
		facts.hoist = used
	}
	if len(errs) > 0 {
		return nil, errorsToCheckError(errs)
	}
	facts.wrappedInLog = map[string]bool{}
	for _, e := range entries {
		for _, k := range e.keys {
			if name, ok := strings.CutPrefix(k, "func "); ok && strings.Contains(e.text, "func "+targetPrefix+name+"(") {
				facts.wrappedInLog[name] = true
			}
		}
	}
	return facts, nil
}

// checkOnce builds the package and checks it once. hoisted, when set, are
// the cell's top-level variables to declare at package level.
func (s *Session) checkOnce(cs *cellSource, merged, sessionImports []importSpec, entries []*declEntry, globals []globalVar, hoisted []topVar) (*cellFacts, []cellErr, []cellErr) {
	fset := token.NewFileSet()
	facts := &cellFacts{
		types:   map[span]types.TypeAndValue{},
		uses:    map[int]types.Object{},
		defs:    map[int]types.Object{},
		defAt:   map[types.Object]int{},
		imports: merged,
		names:   map[string]string{},
		main:    cs.declKeys["func main"],
	}
	for _, is := range merged {
		switch is.localName() {
		case "_":
		case ".":
			facts.names[is.path] = ""
		default:
			if _, ok := facts.names[is.path]; !ok {
				facts.names[is.path] = is.localName()
			}
		}
	}

	var files []*ast.File
	texts := map[*ast.File]string{}
	parse := func(name, src string) *ast.File {
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution|parser.ParseComments)
		if f == nil && err != nil {
			return nil
		}
		files = append(files, f)
		texts[f] = src
		return f
	}

	// The session: imports, earlier declarations, globals.
	session := sessionFile(sessionImports, entries, cs.declKeys, s.units.label)
	parse("session.go", session)
	globalsSrc := globalsFile(globals, cs.declKeys, hoisted)
	parse("globals.go", globalsSrc)

	prelude := "package main; " + importDecl(merged)
	declPrefix := prelude + "/*line cell:1:1*/"
	declSrc := declPrefix + keepOnly(cs.code, cs.decls, cs.comments)
	declFile := parse("decls.go", declSrc)
	stmtPrefix := prelude + "func __gompcell() {/*line cell:1:1*/"
	stmtSrc := stmtPrefix + keepOnly(cs.code, cs.stmts, nil) + "\n}"
	stmtFile := parse("stmts.go", stmtSrc)

	info := &types.Info{
		Types:     map[ast.Expr]types.TypeAndValue{},
		Uses:      map[*ast.Ident]types.Object{},
		Defs:      map[*ast.Ident]types.Object{},
		Scopes:    map[ast.Node]*types.Scope{},
		Instances: map[*ast.Ident]types.Instance{},
	}
	var raw []types.Error
	conf := types.Config{
		Importer:  sharedImporter,
		GoVersion: goVersion,
		Sizes:     types.SizesFor("gc", runtime.GOARCH),
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) {
				raw = append(raw, te)
			}
		},
	}
	pkg := types.NewPackage("main", "main")
	// A failed check still fills info; its errors came through conf.Error.
	_ = types.NewChecker(&conf, fset, pkg, info).Files(files)
	facts.pass = &checkPass{fset: fset, pkg: pkg, info: info, files: files, texts: texts,
		decls: declFile, stmts: stmtFile, declPrefix: len(declPrefix), stmtPrefix: len(stmtPrefix),
		entries: entries, globals: globals, replaced: cs.declKeys, label: s.units.label}

	offsetIn := func(pos token.Pos) (int, bool) {
		tf := fset.File(pos)
		if tf == nil {
			return 0, false
		}
		switch {
		case declFile != nil && tf == fset.File(declFile.Pos()):
			return tf.Offset(pos) - len(declPrefix), true
		case stmtFile != nil && tf == fset.File(stmtFile.Pos()):
			return tf.Offset(pos) - len(stmtPrefix), true
		}
		return 0, false
	}
	for e, tv := range info.Types {
		start, ok1 := offsetIn(e.Pos())
		end, ok2 := offsetIn(e.End())
		if ok1 && ok2 {
			facts.types[span{start, end}] = tv
		}
	}
	for id, obj := range info.Uses {
		if off, ok := offsetIn(id.Pos()); ok {
			facts.uses[off] = obj
		}
	}
	for id, obj := range info.Defs {
		if off, ok := offsetIn(id.Pos()); ok && obj != nil {
			facts.defs[off] = obj
			facts.defAt[obj] = off
		}
	}

	facts.scopeAt = func(off int) *types.Scope {
		file, prefix := stmtFile, len(stmtPrefix)
		if inPieces(off, cs.decls) || (off > 0 && inPieces(off-1, cs.decls)) {
			file, prefix = declFile, len(declPrefix)
		}
		if file == nil {
			return pkg.Scope()
		}
		tf := fset.File(file.Pos())
		if off+prefix > tf.Size() {
			return pkg.Scope()
		}
		if sc := pkg.Scope().Innermost(tf.Pos(off + prefix)); sc != nil {
			return sc
		}
		return pkg.Scope()
	}

	// The statements' function scope: variables declared there are the
	// cell's top-level variables.
	var top *types.Scope
	if stmtFile != nil {
		for _, d := range stmtFile.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "__gompcell" {
				top = info.Scopes[fd.Type]
			}
		}
	}
	topNames := map[string]bool{}
	if top != nil {
		type posVar struct {
			pos token.Pos
			v   *types.Var
		}
		var vars []posVar
		for id, obj := range info.Defs {
			v, ok := obj.(*types.Var)
			if !ok || v.Parent() != top || id.Name == "_" {
				continue
			}
			vars = append(vars, posVar{id.Pos(), v})
		}
		sort.Slice(vars, func(i, j int) bool { return vars[i].pos < vars[j].pos })
		for _, pv := range vars {
			if topNames[pv.v.Name()] {
				continue
			}
			topNames[pv.v.Name()] = true
			typ, paths := qualifiedType(pv.v.Type())
			local, ok := facts.typeString(pv.v.Type())
			if !ok {
				local = ""
			}
			facts.topVars = append(facts.topVars, topVar{name: pv.v.Name(), typ: typ, paths: paths, local: local})
		}
	}

	var errs, undefinedTop []cellErr
	for _, te := range raw {
		if notebookAllows(te, info, top, cs, offsetIn) {
			continue
		}
		pos := te.Fset.Position(te.Pos)
		if pos.Filename == "globals.go" || pos.Filename == "" {
			continue // a global whose type no longer exists: it is simply unknown
		}
		ce := cellErr{pos: pos, msg: te.Msg}
		if pos.Filename == "session.go" || strings.HasPrefix(pos.Filename, "In [") || strings.HasPrefix(pos.Filename, "this session") {
			ce.cell = pos.Filename
		}
		if name, ok := strings.CutPrefix(te.Msg, "undefined: "); ok && topNames[name] {
			if off, ok := offsetIn(te.Pos); ok && inPieces(off, cs.decls) {
				undefinedTop = append(undefinedTop, ce)
			}
		}
		errs = append(errs, ce)
	}
	return facts, errs, undefinedTop
}

// notebookAllows applies the notebook's exceptions to a Go error.
func notebookAllows(te types.Error, info *types.Info, top *types.Scope, cs *cellSource, offsetIn func(token.Pos) (int, bool)) bool {
	msg := te.Msg
	if strings.Contains(msg, "imported and not used") || (strings.Contains(msg, " imported as ") && strings.HasSuffix(msg, " and not used")) {
		return true
	}
	if strings.HasPrefix(msg, "declared and not used") && top != nil {
		for id, obj := range info.Defs {
			if id.Pos() == te.Pos && obj != nil && obj.Parent() == top {
				return true
			}
		}
	}
	if strings.HasSuffix(msg, "is not used") && cs.lastExpr != nil {
		// The final bare expression is the cell's result.
		if off, ok := offsetIn(te.Pos); ok && off >= cs.lastExpr.start && off < cs.lastExpr.end {
			return true
		}
	}
	return false
}

func inPieces(off int, pieces []piece) bool {
	for _, p := range pieces {
		if off >= p.start && off < p.end {
			return true
		}
	}
	return false
}

// cellErr is one error of a check, at a position of the cell or of an
// earlier cell (cell set to its label).
type cellErr struct {
	pos  token.Position
	msg  string
	cell string
}

// errorsToCheckError words a check's errors as go build does: the first ten,
// then "too many errors".
func errorsToCheckError(errs []cellErr) *checkError {
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if (a.cell == "") != (b.cell == "") {
			return a.cell == "" // the cell's own errors first
		}
		if a.pos.Line != b.pos.Line {
			return a.pos.Line < b.pos.Line
		}
		return a.pos.Column < b.pos.Column
	})
	ce := &checkError{}
	for i, e := range errs {
		if i == 10 {
			ce.msgs = append(ce.msgs, "too many errors")
			break
		}
		where := fmt.Sprintf("line %d, column %d", e.pos.Line, e.pos.Column)
		if e.cell != "" {
			where = fmt.Sprintf("%s, line %d, column %d", e.cell, e.pos.Line, e.pos.Column)
		} else if ce.line == 0 {
			ce.line = e.pos.Line
		}
		ce.msgs = append(ce.msgs, where+": "+e.msg)
	}
	return ce
}

// qualifiedType writes t for the globals file, whose imports are named by
// qualifiedName, and lists the packages it names.
func qualifiedType(t types.Type) (string, []string) {
	var paths []string
	s := types.TypeString(types.Default(t), func(p *types.Package) string {
		if p.Path() == "main" {
			return ""
		}
		paths = append(paths, p.Path())
		return qualifiedName(p.Path())
	})
	return s, paths
}

// importDecl writes imports as one declaration on one line.
func importDecl(imports []importSpec) string {
	if len(imports) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("import (")
	for _, is := range imports {
		b.WriteString(is.String())
		b.WriteString("; ")
	}
	b.WriteString("); ")
	return b.String()
}

// sessionFile writes the session's imports and declarations, leaving out
// those the cell declares again; each declaration keeps its cell's lines.
func sessionFile(imports []importSpec, entries []*declEntry, replaced map[string]bool, label func(string) string) string {
	var b strings.Builder
	b.WriteString("package main\n")
	b.WriteString(importDecl(imports))
	b.WriteString("\n")
	for _, e := range entries {
		skip := false
		for _, k := range e.keys {
			skip = skip || replaced[k]
		}
		if skip || e.src == "" {
			continue
		}
		fmt.Fprintf(&b, "//line %s:%d:1\n%s\n", label(e.file), e.line, e.src)
	}
	return b.String()
}

// globalsFile declares the session's globals (and, in a second check, the
// cell's hoisted variables), each with its own imports.
func globalsFile(globals []globalVar, replaced map[string]bool, hoisted []topVar) string {
	var b strings.Builder
	b.WriteString("package main\n")
	seen := map[string]bool{}
	var decls strings.Builder
	for _, g := range globals {
		if replaced["func "+g.name] || replaced["type "+g.name] || replaced["const "+g.name] {
			continue
		}
		for _, p := range g.paths {
			if !seen[p] {
				seen[p] = true
				fmt.Fprintf(&b, "import %s %s\n", qualifiedName(p), strconv.Quote(p))
			}
		}
		skip := false
		for _, h := range hoisted {
			skip = skip || h.name == g.name
		}
		if !skip {
			fmt.Fprintf(&decls, "var %s %s\n", g.name, g.typ)
		}
	}
	for _, h := range hoisted {
		for _, p := range h.paths {
			if !seen[p] {
				seen[p] = true
				fmt.Fprintf(&b, "import %s %s\n", qualifiedName(p), strconv.Quote(p))
			}
		}
		fmt.Fprintf(&decls, "var %s %s\n", h.name, h.typ)
	}
	b.WriteString(decls.String())
	return b.String()
}

// mergeImportSpecs is the imports in scope in a cell: the session's, with
// the cell's replacing any of the same local name.
func mergeImportSpecs(have, added []importSpec) []importSpec {
	var out []importSpec
	for _, h := range have {
		replaced := false
		for _, a := range added {
			if a == h || (a.localName() == h.localName() && a.localName() != "_" && a.localName() != ".") {
				replaced = true
			}
		}
		if !replaced {
			out = append(out, h)
		}
	}
	return append(out, added...)
}

// lineCol converts a cell offset to its line and column (bytes, from 1).
func lineCol(code string, off int) (int, int) {
	if off > len(code) {
		off = len(code)
	}
	line := 1 + strings.Count(code[:off], "\n")
	col := off - strings.LastIndex(code[:off], "\n")
	return line, col
}

// prepareCell reads what the checker and the runner need from a cell:
// its package clause (blanked: a cell may be a whole program), its pieces
// and the keys of its declarations.
func prepareCell(code string) (*cellSource, error) {
	cs := &cellSource{importAt: map[string]int{}, declKeys: map[string]bool{}}
	code, err := blankPackageClause(code, cs)
	if err != nil {
		return nil, err
	}
	cs.code = code
	for _, p := range splitCell(code) {
		switch p.kind {
		case unitComment:
			cs.comments = append(cs.comments, p)
		case unitImport:
			cs.imports = append(cs.imports, p)
		case unitDecl:
			cs.decls = append(cs.decls, p)
		default:
			cs.stmts = append(cs.stmts, p)
		}
	}
	// Imports and declarations, parsed for their names; syntax errors are
	// reported by the parse of the units, with positions.
	if len(cs.imports) > 0 {
		src := "package main;/*line cell:1:1*/" + keepOnly(code, cs.imports, nil)
		if f, err := parser.ParseFile(token.NewFileSet(), "imports.go", src, parser.ImportsOnly); err == nil {
			for _, spec := range f.Imports {
				path, _ := strconv.Unquote(spec.Path.Value)
				is := importSpec{path: path}
				if spec.Name != nil {
					is.name = spec.Name.Name
				}
				cs.importSpecs = append(cs.importSpecs, is)
				if _, ok := cs.importAt[path]; !ok {
					cs.importAt[path] = int(spec.Path.Pos()) - 1 - len("package main;/*line cell:1:1*/")
				}
			}
		}
	}
	if len(cs.decls) > 0 {
		src := "package main;" + keepOnly(code, cs.decls, nil)
		if f, err := parser.ParseFile(token.NewFileSet(), "decls.go", src, parser.SkipObjectResolution); err == nil {
			for _, d := range f.Decls {
				for _, k := range declKeysOf(d) {
					cs.declKeys[k] = true
				}
			}
		}
	}
	if n := len(cs.stmts); n > 0 {
		last := cs.stmts[n-1]
		src := "package main; func __gompcell() {" + keepOnly(code, []piece{last}, nil) + "\n}"
		prefix := len("package main; func __gompcell() {")
		fset := token.NewFileSet()
		if f, err := parser.ParseFile(fset, "last.go", src, parser.SkipObjectResolution); err == nil {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil || len(fd.Body.List) == 0 {
					continue
				}
				if es, ok := fd.Body.List[len(fd.Body.List)-1].(*ast.ExprStmt); ok {
					cs.lastExpr = &span{fset.Position(es.Pos()).Offset - prefix, fset.Position(es.End()).Offset - prefix}
				}
			}
		}
	}
	return cs, nil
}

// declKeysOf names what a top-level declaration declares, as the
// declaration log keys it.
func declKeysOf(d ast.Decl) []string {
	var keys []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) > 0 {
			return []string{"method " + receiverTypeName(d.Recv.List[0].Type) + "." + d.Name.Name}
		}
		if d.Name.Name == "init" || d.Name.Name == "_" {
			return nil
		}
		return []string{"func " + d.Name.Name}
	case *ast.GenDecl:
		for _, sp := range d.Specs {
			switch sp := sp.(type) {
			case *ast.TypeSpec:
				keys = append(keys, "type "+sp.Name.Name)
			case *ast.ValueSpec:
				if d.Tok == token.CONST {
					for _, n := range sp.Names {
						keys = append(keys, "const "+n.Name)
					}
				}
			}
		}
	}
	return keys
}

// blankPackageClause replaces a leading `package main` with spaces, so that
// a whole program can be pasted into a cell: the cell's lines and columns
// stay the program's. Another package name is refused, as go run refuses
// it.
func blankPackageClause(code string, cs *cellSource) (string, error) {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(code))
	var sc scanner.Scanner
	sc.Init(file, []byte(code), nil, 0)
	pos, tok, _ := sc.Scan()
	if tok != token.PACKAGE {
		return code, nil
	}
	start := file.Offset(pos)
	namePos, nameTok, name := sc.Scan()
	if nameTok != token.IDENT {
		line, col := lineCol(code, file.Offset(namePos))
		return "", &compileError{msg: fmt.Sprintf("line %d, column %d: syntax error: package statement must be first", line, col), line: line}
	}
	end := file.Offset(namePos) + len(name)
	if name != "main" {
		line, col := lineCol(code, start)
		return "", &compileError{msg: fmt.Sprintf("line %d, column %d: package %s is not a main package: a notebook's cells are package main", line, col, name), line: line}
	}
	// A semicolon written after the clause goes too.
	if p, t, lit := sc.Scan(); t == token.SEMICOLON && lit == ";" {
		end = file.Offset(p) + 1
	}
	cs.packageName, cs.packageStart, cs.packageAt = name, start, end
	b := []byte(code)
	for i := start; i < end; i++ {
		if b[i] != '\n' {
			b[i] = ' '
		}
	}
	return string(b), nil
}

// showable tells whether a cell's final bare expression is its result: it
// is when it has a value, whatever package it comes from; a call with no
// result, and the print functions' (n, err), show nothing.
func (f *cellFacts) showable(x ast.Expr, start, end int, p *parsedUnit) bool {
	tv, ok := f.tv(start, end)
	if !ok || !tv.IsValue() {
		return false
	}
	if t, ok := tv.Type.(*types.Tuple); ok && t.Len() == 0 {
		return false
	}
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	if !ok {
		return true
	}
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	}
	if id == nil {
		return true
	}
	if fn, ok := f.object(p.off(id.Pos())).(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == "fmt" {
		name := fn.Name()
		return !strings.HasPrefix(name, "Print") && !strings.HasPrefix(name, "Fprint")
	}
	return true
}

// editorFacts checks code for the editor (completion, inspection): as
// checkCell does, but errors do not matter, since code being typed is
// seldom valid. It never touches the interpreter, so it never waits for a
// running cell.
func (s *Session) editorFacts(code string) *cellFacts {
	cs, err := prepareCell(code)
	if err != nil {
		return nil
	}
	s.state.RLock()
	globals := append([]globalVar(nil), s.globals...)
	entries := append([]*declEntry(nil), s.decls.entries...)
	sessionImports := append([]importSpec(nil), s.imports...)
	s.state.RUnlock()
	merged := mergeImportSpecs(sessionImports, cs.importSpecs)
	facts, _, _ := s.checkOnce(cs, merged, sessionImports, entries, globals, nil)
	return facts
}
