package eval

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Monomorphization: the notebook's own generic functions and types, made
// concrete before yaegi sees them. yaegi v0.16.1 instantiates user-written
// generics wrongly ("undefined type for T", "cannot use type func(int)
// string as type func(int) int", unexported fields shown as Xitems); the
// checker, though, knows every instantiation (types.Info.Instances). So for
// each instance of a notebook generic the session's package uses, a
// concrete copy is written (the generic's source with its type parameters
// replaced by the checker's type arguments), and every use of the instance
// is renamed to the copy. Copies of a generic type carry copies of its
// methods; generics used inside a copy are instantiated in turn.
//
// The checker keeps the generic world (the cells as the user wrote them, so
// its errors are Go's); the interpreter gets the concrete one. A cell goes:
//
//  1. checked as written (checkCell);
//  2. monomorphize: every concrete instance found in the session's
//     declarations, its globals and the cell, with the instances those need,
//     becomes a copy; the cell's uses are renamed and the copies appended
//     after its last line (renames never add a line, so the cell's lines
//     stay its own);
//  3. that cell is checked again, against the session with the same
//     renames (the facts every later rewrite reads), and runs.
//
// Every cell of a session that uses generics writes all its copies again:
// an unchanged copy is a no-op in the declaration log, and a redefined
// generic (or a new method of a generic type) changes its copies, which
// replaces them like any redefined declaration. The log keeps each copy at
// its generic's position (copyOrigin), so errors and tracebacks in a copy
// point at the generic's lines, and each user declaration keeps the source
// the user wrote (the checker's input). Children replay the log, copies
// included.
//
// A copy is named base__gompG<args>, args being the type arguments as Go's
// runtime writes them ("int,main.point"), encoded into identifier letters:
// messages, tracebacks and fmt decode the name back (goTypeName).

// copyMark separates a copy's generic name from its encoded type arguments.
const copyMark = "__gompG"

// maxCopies bounds the copies of one package: a generic that
// instantiates itself with ever larger types would never end.
const maxCopies = 2000

// libMark starts the name of a standard library generic's copy
// (gompstd_slices_Concat), decoded as slices.Concat.
const libMark = "gompstd_"

// checkPass is one run of the checker, kept for monomorphize.
type checkPass struct {
	fset                   *token.FileSet
	pkg                    *types.Package
	info                   *types.Info
	files                  []*ast.File
	texts                  map[*ast.File]string
	decls, stmts           *ast.File
	declPrefix, stmtPrefix int
	entries                []*declEntry
	globals                []globalVar
	replaced               map[string]bool
	label                  func(file string) string
	src                    *source
}

// monoFacts is what runDecls needs of a monomorphized cell, by offsets of
// declarations in the cell's new source.
type monoFacts struct {
	sources map[int]string     // a user declaration → the text the user wrote
	origins map[int]copyOrigin // a copy → where its generic is
	spans   []copySpan         // where the copies are in the cell's new source
	code    string             // that source
	live    map[string]bool    // the copies the session's package uses
}

// copySpan is a copy's place in a monomorphized cell.
type copySpan struct {
	start, end int
	line       int // its generic's first line
}

// copyOrigin is where a copy's generic is declared: the unit file ("" for
// the cell's own) and the line.
type copyOrigin struct {
	file string
	line int
}

// monoWorld is the session as the second check sees it: the declarations'
// source and the globals' types with the renames.
type monoWorld struct {
	entries []*declEntry
	globals []globalVar
}

// copyName names the copy of generic base for the type arguments args.
func copyName(base string, args []types.Type) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = runtimeTypeName(a)
	}
	var b strings.Builder
	b.WriteString(base)
	b.WriteString(copyMark)
	for _, c := range []byte(strings.Join(parts, ",")) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02x", c)
	}
	return b.String()
}

// runtimeTypeName writes t as Go's runtime names type arguments: package
// paths in full, no space after commas between type arguments.
func runtimeTypeName(t types.Type) string {
	if n, ok := types.Unalias(t).(*types.Named); ok && n.TypeArgs().Len() > 0 {
		var args []string
		for i := range n.TypeArgs().Len() {
			args = append(args, runtimeTypeName(n.TypeArgs().At(i)))
		}
		prefix := ""
		if p := n.Obj().Pkg(); p != nil {
			prefix = p.Path() + "."
		}
		return prefix + n.Obj().Name() + "[" + strings.Join(args, ",") + "]"
	}
	if t == types.Universe.Lookup("any").Type() {
		return "interface {}"
	}
	return types.TypeString(t, func(p *types.Package) string { return p.Path() })
}

// instanceString writes an instance as go build's messages do (Map[int, point]).
func instanceString(obj types.Object, args []types.Type) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = types.TypeString(a, types.RelativeTo(obj.Pkg()))
	}
	name := obj.Name()
	if obj.Pkg() != nil && obj.Pkg().Path() != "main" {
		name = obj.Pkg().Name() + "." + name
	}
	return name + "[" + strings.Join(parts, ", ") + "]"
}

// copyPattern finds copy names in a message.
var copyPattern = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*?)` + copyMark + `((?:[A-Za-z0-9]|_[0-9a-f]{2})*)`)

// decodeCopyNames writes every copy name in msg as the instance it is
// (Stack[int]); with elided, as Go's tracebacks do (Stack[...]).
func decodeCopyNames(msg string, elided bool) string {
	if !strings.Contains(msg, copyMark) {
		return msg
	}
	return copyPattern.ReplaceAllStringFunc(msg, func(m string) string {
		sub := copyPattern.FindStringSubmatch(m)
		if lib, ok := strings.CutPrefix(sub[1], libMark); ok {
			sub[1] = strings.Replace(lib, "_", ".", 1)
		}
		if elided {
			return sub[1] + "[...]"
		}
		return sub[1] + "[" + decodeArgs(sub[2]) + "]"
	})
}

func decodeArgs(enc string) string {
	var b strings.Builder
	for i := 0; i < len(enc); i++ {
		if enc[i] == '_' && i+3 <= len(enc) {
			if v, err := strconv.ParseUint(enc[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(enc[i])
	}
	return b.String()
}

// goTypeName is a declared type's name as Go prints it: a copy's is its
// instance's (Stack[int]), any other its own.
func goTypeName(name string) string { return decodeCopyNames(name, false) }

// source is checked Go code copies are made from: the session's package,
// or a standard library package read from GOROOT (lib set).
type source struct {
	fset  *token.FileSet
	info  *types.Info
	texts map[*ast.File]string
	lib   *types.Package
}

func (pass *checkPass) source() *source {
	if pass.src == nil {
		pass.src = &source{fset: pass.fset, info: pass.info, texts: pass.texts}
	}
	return pass.src
}

// srcOf is the source a file belongs to.
func (p *monoPlan) srcOf(file *ast.File) *source {
	if s, ok := p.libFiles[file]; ok {
		return s
	}
	return p.pass.source()
}

// libGeneric finds the source of a generic function of the standard
// library that has no stand-in (generics.go): yaegi cannot instantiate
// the library's generic sources either, so they are copied as the
// notebook's are, when they use nothing of their package but its generics.
func (p *monoPlan) libGeneric(obj types.Object) (types.Object, bool) {
	fn, ok := obj.(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() == "main" {
		return nil, false
	}
	if key := fn.Pkg().Path() + "." + fn.Name(); genericFuncs[key] != nil || sessionStandIns[key] {
		return nil, false
	}
	if sig, ok := fn.Type().(*types.Signature); !ok || sig.TypeParams().Len() == 0 || sig.Recv() != nil {
		return nil, false
	}
	lib, err := loadLibSource(fn.Pkg().Path())
	if err != nil {
		return nil, false
	}
	srcObj := lib.pkg.Scope().Lookup(fn.Name())
	if srcObj == nil {
		return nil, false
	}
	p.addLib(lib)
	_, ok = p.generics[srcObj]
	return srcObj, ok
}

// addLib registers a library package's generic functions.
func (p *monoPlan) addLib(lib *libSource) {
	if p.libFiles == nil {
		p.libFiles = map[*ast.File]*source{}
	}
	if _, done := p.libFiles[lib.files[0]]; done {
		return
	}
	src := &source{fset: lib.fset, info: lib.info, texts: lib.texts, lib: lib.pkg}
	for _, f := range lib.files {
		p.libFiles[f] = src
	}
	for obj, g := range lib.funcs {
		p.generics[obj] = g
	}
}

// libSource is a standard library package checked from its GOROOT source.
type libSource struct {
	fset  *token.FileSet
	pkg   *types.Package
	info  *types.Info
	files []*ast.File
	texts map[*ast.File]string
	funcs map[types.Object]genericDecl
}

var libSources struct {
	sync.Mutex
	pkgs map[string]*libSource
	errs map[string]error
}

// loadLibSource checks a standard library package from source, once per
// process (the result is read only).
func loadLibSource(path string) (*libSource, error) {
	libSources.Lock()
	defer libSources.Unlock()
	if l, ok := libSources.pkgs[path]; ok {
		return l, nil
	}
	if err, ok := libSources.errs[path]; ok {
		return nil, err
	}
	l, err := checkLibSource(path)
	if libSources.pkgs == nil {
		libSources.pkgs, libSources.errs = map[string]*libSource{}, map[string]error{}
	}
	if err != nil {
		libSources.errs[path] = err
		return nil, err
	}
	libSources.pkgs[path] = l
	return l, nil
}

func checkLibSource(path string) (*libSource, error) {
	bp, err := build.Default.Import(path, "", 0)
	if err != nil || !bp.Goroot {
		return nil, fmt.Errorf("no standard library source for %s: %v", path, err)
	}
	l := &libSource{fset: token.NewFileSet(), texts: map[*ast.File]string{}, funcs: map[types.Object]genericDecl{}}
	for _, name := range bp.GoFiles {
		text, err := os.ReadFile(filepath.Join(bp.Dir, name))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		f, err := parser.ParseFile(l.fset, filepath.Join(bp.Dir, name), text, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		l.files = append(l.files, f)
		l.texts[f] = string(text)
	}
	if len(l.files) == 0 {
		return nil, fmt.Errorf("no Go files in %s", bp.Dir)
	}
	l.info = &types.Info{Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{},
		Types: map[ast.Expr]types.TypeAndValue{}, Instances: map[*ast.Ident]types.Instance{}}
	conf := types.Config{Importer: sharedImporter, GoVersion: goVersion, Error: func(error) {}}
	l.pkg, _ = conf.Check(path, l.fset, l.files, l.info)
	for _, f := range l.files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Type.TypeParams != nil && fd.Body != nil {
				if obj := l.info.Defs[fd.Name]; obj != nil {
					l.funcs[obj] = genericDecl{file: f, fn: fd}
				}
			}
		}
	}
	return l, nil
}

// monoPlan makes the copies of one check.
type monoPlan struct {
	pass     *checkPass
	names    map[string]string // package path → its name in the cell
	generics map[types.Object]genericDecl
	methods  map[string][]genericDecl // generic type name → its methods
	fileOf   map[*token.File]*ast.File
	indexed  map[*ast.Ident]ast.Expr // an identifier → the index expression instantiating it
	selected map[*ast.Ident]ast.Expr // a selector's name → the selector (pkg.Func)
	made     map[string]bool
	libFiles map[*ast.File]*source // the files of library packages copied from
	queue    []pendingCopy
	root     token.Pos // the use in the package's code that the copy being made is for
	rootName string    // the instance used there
	doing    string    // the instance being made, as Go names it
	copies   []writtenCopy
	err      *compileError
}

type genericDecl struct {
	file *ast.File
	fn   *ast.FuncDecl
	spec *ast.TypeSpec
}

type pendingCopy struct {
	obj      types.Object
	args     []types.Type
	name     string
	root     token.Pos
	rootName string
}

type writtenCopy struct {
	text   string
	origin token.Position
}

// monomorphize returns the cell with the notebook's generic instances made
// concrete, and its facts; nil when the session's package uses none.
func (s *Session) monomorphize(cs *cellSource, facts *cellFacts) (*cellSource, *cellFacts, error) {
	pass := facts.pass
	if pass == nil {
		return nil, nil, nil
	}
	p := &monoPlan{pass: pass, names: facts.names, generics: map[types.Object]genericDecl{},
		methods: map[string][]genericDecl{}, fileOf: map[*token.File]*ast.File{},
		indexed: map[*ast.Ident]ast.Expr{}, selected: map[*ast.Ident]ast.Expr{}, made: map[string]bool{}}
	p.collect()
	// Whatever comes of it, the copies the package no longer uses are
	// dropped once the cell has run (Session.dropStaleCopies).
	facts.mono = &monoFacts{live: p.made}
	// The renames of the instances the package's own code uses.
	fileEdits := map[*ast.File][]edit{}
	var ids []*ast.Ident
	for id := range pass.info.Instances {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].Pos() < ids[j].Pos() })
	for _, id := range ids {
		file := p.fileOf[pass.fset.File(id.Pos())]
		if file == nil || file == pass.globalsFile() {
			continue
		}
		inst := pass.info.Instances[id]
		obj := pass.info.Uses[id]
		if !concreteList(inst.TypeArgs) {
			continue
		}
		if lobj, ok := p.libGeneric(obj); ok {
			obj = lobj
		}
		if _, ok := p.generics[obj]; !ok {
			continue
		}
		var span ast.Expr = id
		if x, ok := p.selected[id]; ok {
			span = x
		}
		if x, ok := p.indexed[id]; ok {
			span = x
		}
		p.root, p.rootName = span.Pos(), instanceString(obj, typeList(inst.TypeArgs))
		name := p.instance(obj, typeList(inst.TypeArgs))
		tf := pass.fset.File(file.Pos())
		fileEdits[file] = append(fileEdits[file], edit{tf.Offset(span.Pos()), tf.Offset(span.End()), name})
	}
	// An embedded field of a generic type is named after its copy.
	for id, obj := range pass.info.Uses {
		file := p.fileOf[pass.fset.File(id.Pos())]
		if file == nil || file == pass.globalsFile() {
			continue
		}
		p.root = id.Pos()
		if name, ok := p.embeddedCopy(obj, nil); ok {
			fileEdits[file] = append(fileEdits[file], p.editOf(file, id.Pos(), id.End(), name))
		}
	}
	// The globals, with their types in the concrete world.
	var globals []globalVar
	for _, g := range pass.globals {
		if v, ok := pass.pkg.Scope().Lookup(g.name).(*types.Var); ok && mentionsGeneric(v.Type(), p.generics) {
			var paths []string
			typ, err := p.write(v.Type(), func(pk *types.Package) (string, bool) {
				if pk.Path() == "main" {
					return "", true
				}
				paths = append(paths, pk.Path())
				return qualifiedName(pk.Path()), true
			})
			if err == nil {
				g.typ, g.paths = typ, paths
			}
		}
		globals = append(globals, g)
	}
	p.drain()
	if p.err != nil {
		return nil, nil, p.err
	}
	if len(p.made) == 0 {
		return nil, nil, nil
	}

	// The session's declarations, renamed, for the second check.
	entries := p.renamedEntries(fileEdits[pass.sessionFile()])
	// The cell: renamed, then the copies after its last line.
	var cellEdits []edit
	for _, f := range []*ast.File{pass.decls, pass.stmts} {
		prefix := pass.declPrefix
		if f == pass.stmts {
			prefix = pass.stmtPrefix
		}
		if f == nil {
			continue
		}
		for _, e := range fileEdits[f] {
			cellEdits = append(cellEdits, edit{e.start - prefix, e.end - prefix, e.text})
		}
	}
	code := applyEdits(cs.code, cellEdits)
	mono := &monoFacts{sources: map[int]string{}, origins: map[int]copyOrigin{}, live: p.made}
	var b strings.Builder
	b.WriteString(code)
	for _, c := range p.copies {
		b.WriteString("\n")
		at := b.Len()
		b.WriteString(c.text)
		origin := copyOrigin{line: c.origin.Line}
		if c.origin.Filename != "cell" {
			origin.file = p.unitFile(c.origin.Filename)
		}
		mono.origins[at] = origin
		mono.sources[at] = ""
		mono.spans = append(mono.spans, copySpan{at, b.Len(), c.origin.Line})
	}
	mono.code = b.String()
	mcs, err := prepareCell(b.String())
	if err != nil {
		return nil, nil, err
	}
	if len(mcs.decls) < len(cs.decls) {
		return nil, nil, &compileError{msg: "gomp could not make the cell's generics concrete"}
	}
	for i, d := range cs.decls {
		mono.sources[mcs.decls[i].start] = cs.code[d.start:d.end]
	}
	mfacts, err := s.checkCellIn(mcs, &monoWorld{entries: entries, globals: globals})
	if err != nil {
		msg := decodeCopyNames(err.Error(), false)
		return nil, nil, &compileError{msg: "gomp could not make the notebook's generic code concrete for the interpreter:\n" + msg}
	}
	// The checker's record of the cell's variables stays in the generic
	// world, where later cells are checked; only what the interpreter
	// compiles (local) is the copies'.
	first := map[string]topVar{}
	for _, v := range facts.topVars {
		first[v.name] = v
	}
	for i, v := range mfacts.topVars {
		if f, ok := first[v.name]; ok {
			mfacts.topVars[i].typ, mfacts.topVars[i].paths = f.typ, f.paths
		}
	}
	mfacts.mono = mono
	return mcs, mfacts, nil
}

// dropStaleCopies removes from the declaration log the copies no
// declaration, global or cell uses any more (those of a generic's earlier
// definition, say), so that a rebuild or a child never compiles them again.
func (s *Session) dropStaleCopies(m *monoFacts) {
	if m == nil {
		return
	}
	live := m.live
	s.state.Lock()
	defer s.state.Unlock()
	var kept []*declEntry
	for _, e := range s.decls.entries {
		if name, ok := copyOfEntry(e); ok && !live[name] {
			continue
		}
		kept = append(kept, e)
	}
	if len(kept) != len(s.decls.entries) {
		s.decls.entries = kept
		s.typeCache = newTypeCache()
	}
}

// copyOfEntry names the copy a log entry declares, if it is one.
func copyOfEntry(e *declEntry) (string, bool) {
	for _, k := range e.keys {
		_, name, _ := strings.Cut(k, " ")
		if strings.HasPrefix(k, "method ") {
			name, _, _ = strings.Cut(name, ".")
		}
		if strings.Contains(name, copyMark) {
			return name, true
		}
	}
	return "", false
}

// userSource is the source the user wrote of the declaration at off of a
// monomorphized cell ("" for a copy), and whether it is known.
func (m *monoFacts) userSource(off int) (string, bool) {
	if m == nil {
		return "", false
	}
	src, ok := m.sources[off]
	return src, ok
}

// originLine is the line of the generic that the copy holding offset off
// was made of, or line when off is in no copy.
func (m *monoFacts) originLine(off, line int) int {
	if m == nil {
		return line
	}
	for _, sp := range m.spans {
		if off >= sp.start && off < sp.end {
			return sp.line + strings.Count(m.code[sp.start:off], "\n")
		}
	}
	return line
}

// origin is where the generic of the copy at off is declared.
func (m *monoFacts) origin(off int) (copyOrigin, bool) {
	if m == nil {
		return copyOrigin{}, false
	}
	o, ok := m.origins[off]
	return o, ok
}

func (pass *checkPass) fileNamed(name string) *ast.File {
	for _, f := range pass.files {
		if pass.fset.File(f.Pos()).Name() == name {
			return f
		}
	}
	return nil
}

func (pass *checkPass) sessionFile() *ast.File { return pass.fileNamed("session.go") }
func (pass *checkPass) globalsFile() *ast.File { return pass.fileNamed("globals.go") }

// unitFile is a unit file of the cell labelled label.
func (p *monoPlan) unitFile(label string) string {
	for _, e := range p.pass.entries {
		if p.pass.label(e.file) == label {
			return e.file
		}
	}
	return ""
}

// collect finds the notebook's generic declarations, and the methods of
// its generic types.
func (p *monoPlan) collect() {
	pass := p.pass
	for _, f := range pass.files {
		p.fileOf[pass.fset.File(f.Pos())] = f
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				p.selected[n.Sel] = n
			case *ast.IndexExpr:
				if id := instantiated(n.X); id != nil {
					p.indexed[id] = n
				}
			case *ast.IndexListExpr:
				if id := instantiated(n.X); id != nil {
					p.indexed[id] = n
				}
			}
			return true
		})
		if f == pass.stmts || f == pass.globalsFile() {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					base := d.Recv.List[0].Type
					if st, ok := base.(*ast.StarExpr); ok {
						base = st.X
					}
					switch ast.Unparen(base).(type) {
					case *ast.IndexExpr, *ast.IndexListExpr:
						name := receiverTypeName(base)
						p.methods[name] = append(p.methods[name], genericDecl{file: f, fn: d})
					}
					continue
				}
				if d.Type.TypeParams != nil && d.Body != nil {
					if obj := pass.info.Defs[d.Name]; obj != nil {
						p.generics[obj] = genericDecl{file: f, fn: d}
					}
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if ts, ok := sp.(*ast.TypeSpec); ok && ts.TypeParams != nil {
						if obj := pass.info.Defs[ts.Name]; obj != nil {
							p.generics[obj] = genericDecl{file: f, spec: ts}
						}
					}
				}
			}
		}
	}
}

// instantiated is the name an index expression instantiates: F or pkg.F.
func instantiated(x ast.Expr) *ast.Ident {
	switch x := x.(type) {
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

// instance names the copy of obj for args, and has it made.
func (p *monoPlan) instance(obj types.Object, args []types.Type) string {
	base := obj.Name()
	if obj.Pkg() != nil && obj.Pkg().Path() != "main" {
		base = libMark + obj.Pkg().Name() + "_" + base
	}
	name := copyName(base, args)
	if !p.made[name] && len(p.made) >= maxCopies {
		p.fail(fmt.Sprintf("it needs more than %d instances", maxCopies))
		return name
	}
	if !p.made[name] {
		p.made[name] = true
		p.queue = append(p.queue, pendingCopy{obj, args, name, p.root, p.rootName})
	}
	return name
}

// drain writes the pending copies, and those they need.
func (p *monoPlan) drain() {
	for len(p.queue) > 0 && p.err == nil {
		c := p.queue[0]
		p.queue = p.queue[1:]
		p.root, p.rootName, p.doing = c.root, c.rootName, instanceString(c.obj, c.args)
		g := p.generics[c.obj]
		switch {
		case g.fn != nil:
			sig := c.obj.Type().(*types.Signature)
			smap := bindParams(sig.TypeParams(), c.args)
			p.writeFunc(g, c.name, smap, nil)
		case g.spec != nil:
			named, ok := c.obj.Type().(*types.Named)
			if !ok {
				p.fail("it is a generic type alias")
				return
			}
			smap := bindParams(named.TypeParams(), c.args)
			p.writeType(g, c.name, smap)
			for _, m := range p.methods[c.obj.Name()] {
				fn, ok := p.pass.info.Defs[m.fn.Name].(*types.Func)
				if !ok {
					continue
				}
				msig := fn.Type().(*types.Signature)
				p.writeFunc(m, "", bindParams(msig.RecvTypeParams(), c.args), &c.name)
			}
		}
	}
}

func (p *monoPlan) fail(why string) {
	if p.err != nil {
		return
	}
	pos := p.pass.fset.Position(p.root)
	where := fmt.Sprintf("line %d, column %d", pos.Line, pos.Column)
	if pos.Filename != "cell" {
		where = fmt.Sprintf("%s, line %d, column %d", pos.Filename, pos.Line, pos.Column)
	}
	if p.doing != p.rootName && p.rootName != "" {
		why += " (in " + p.doing + ")"
	}
	p.err = &compileError{msg: fmt.Sprintf("%s: gomp cannot make %s concrete for the interpreter: %s", where, cmp.Or(p.rootName, p.doing), why), line: pos.Line}
}

func bindParams(tps *types.TypeParamList, args []types.Type) map[*types.TypeParam]types.Type {
	m := map[*types.TypeParam]types.Type{}
	for i := range tps.Len() {
		if i < len(args) {
			m[tps.At(i)] = args[i]
		}
	}
	return m
}

// writeFunc writes the copy of a generic function (name) or of a method
// of a generic type (recv, the type's copy).
func (p *monoPlan) writeFunc(g genericDecl, name string, smap map[*types.TypeParam]types.Type, recv *string) {
	fd := g.fn
	var edits []edit
	if recv != nil {
		base := fd.Recv.List[0].Type
		if st, ok := base.(*ast.StarExpr); ok {
			base = st.X
		}
		edits = append(edits, p.editOf(g.file, base.Pos(), base.End(), *recv))
	} else {
		edits = append(edits, p.editOf(g.file, fd.Name.Pos(), fd.Name.End(), name))
		edits = append(edits, p.editOf(g.file, fd.Type.TypeParams.Opening, fd.Type.TypeParams.Closing+1, ""))
	}
	for _, n := range []ast.Node{fd.Type.Params, fd.Type.Results, fd.Body} {
		if n != nil && !isNilNode(n) {
			edits = append(edits, p.substEdits(g.file, n, smap)...)
		}
	}
	p.emit(g.file, fd.Pos(), fd.End(), "", edits)
}

func isNilNode(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.FieldList:
		return n == nil
	case *ast.BlockStmt:
		return n == nil
	}
	return false
}

// writeType writes the copy of a generic type.
func (p *monoPlan) writeType(g genericDecl, name string, smap map[*types.TypeParam]types.Type) {
	ts := g.spec
	edits := []edit{
		p.editOf(g.file, ts.Name.Pos(), ts.Name.End(), name),
		p.editOf(g.file, ts.TypeParams.Opening, ts.TypeParams.Closing+1, ""),
	}
	edits = append(edits, p.substEdits(g.file, ts.Type, smap)...)
	p.emit(g.file, ts.Pos(), ts.End(), "type ", edits)
}

// editOf is an edit at file positions.
func (p *monoPlan) editOf(file *ast.File, from, to token.Pos, text string) edit {
	tf := p.srcOf(file).fset.File(file.Pos())
	return edit{tf.Offset(from), tf.Offset(to), text}
}

// emit adds the copy made of file's text between from and to with edits.
func (p *monoPlan) emit(file *ast.File, from, to token.Pos, prefix string, edits []edit) {
	src := p.srcOf(file)
	tf := src.fset.File(file.Pos())
	start, end := tf.Offset(from), tf.Offset(to)
	text := src.texts[file][start:end]
	var local []edit
	for _, e := range edits {
		local = append(local, edit{e.start - start, e.end - start, e.text})
	}
	origin := p.pass.fset.Position(p.root) // a library's generic: where the cell uses it
	if src == p.pass.source() {
		origin = p.pass.fset.Position(from)
	}
	p.copies = append(p.copies, writtenCopy{text: prefix + applyEdits(text, local), origin: origin})
}

// substEdits replaces, in n, the type parameters with their arguments
// and the instances of notebook generics with their copies.
func (p *monoPlan) substEdits(file *ast.File, n ast.Node, smap map[*types.TypeParam]types.Type) []edit {
	src := p.srcOf(file)
	info := src.info
	var edits []edit
	instanceAt := func(id *ast.Ident, span ast.Expr) bool {
		inst, ok := info.Instances[id]
		if !ok {
			return false
		}
		obj := info.Uses[id]
		if _, ok := p.generics[obj]; !ok {
			return false
		}
		args := typeList(inst.TypeArgs)
		for i := range args {
			args[i] = subst(args[i], smap)
			if !concrete(args[i]) {
				p.fail("gomp cannot tell its type arguments")
				return true
			}
			if _, err := p.write(args[i], p.cellQualifier); err != nil {
				p.fail(err.Error())
				return true
			}
		}
		edits = append(edits, p.editOf(file, span.Pos(), span.End(), p.instance(obj, args)))
		return true
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IndexExpr:
			if id, ok := n.X.(*ast.Ident); ok && instanceAt(id, n) {
				return false
			}
		case *ast.IndexListExpr:
			if id, ok := n.X.(*ast.Ident); ok && instanceAt(id, n) {
				return false
			}
		case *ast.Ident:
			if instanceAt(n, n) {
				return false
			}
			if name, ok := p.embeddedCopy(info.Uses[n], smap); ok {
				edits = append(edits, p.editOf(file, n.Pos(), n.End(), name))
				return false
			}
			if src.lib != nil {
				// A library's generic is copied alone: it may use its
				// own package's generics, not the rest of the package.
				switch obj := info.Uses[n].(type) {
				case *types.PkgName:
					p.fail("it uses package " + obj.Imported().Path())
					return false
				case nil:
				default:
					if obj.Pkg() == src.lib && obj.Parent() == src.lib.Scope() {
						p.fail("it uses " + obj.Pkg().Name() + "." + obj.Name())
						return false
					}
				}
			}
			tn, ok := info.Uses[n].(*types.TypeName)
			if !ok {
				return false
			}
			tp, ok := tn.Type().(*types.TypeParam)
			if !ok {
				return false
			}
			arg, ok := smap[tp]
			if !ok {
				p.fail("gomp cannot tell its type parameter " + tn.Name())
				return false
			}
			text, err := p.write(arg, p.cellQualifier)
			if err != nil {
				p.fail(err.Error())
				return false
			}
			edits = append(edits, p.editOf(file, n.Pos(), n.End(), text))
		}
		return true
	})
	return edits
}

// embeddedCopy is the name of a field that embeds an instance of a
// notebook generic: the copy's name, which is the field's name in the copy
// of the struct (Go names it after the generic).
func (p *monoPlan) embeddedCopy(obj types.Object, smap map[*types.TypeParam]types.Type) (string, bool) {
	v, ok := obj.(*types.Var)
	if !ok || !v.IsField() || !v.Embedded() {
		return "", false
	}
	t := v.Type()
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	n, ok := subst(t, smap).(*types.Named)
	if !ok || n.TypeArgs().Len() == 0 || !concreteList(n.TypeArgs()) {
		return "", false
	}
	if _, ok := p.generics[n.Origin().Obj()]; !ok {
		return "", false
	}
	return p.instance(n.Origin().Obj(), typeList(n.TypeArgs())), true
}

// cellQualifier names a package as the cell does.
func (p *monoPlan) cellQualifier(pk *types.Package) (string, bool) {
	if pk.Path() == "main" {
		return "", true
	}
	name, ok := p.names[pk.Path()]
	return name, ok
}

// write writes a concrete type as source, the instances of notebook
// generics as their copies (which it has made).
func (p *monoPlan) write(t types.Type, qual func(*types.Package) (string, bool)) (string, error) {
	var b strings.Builder
	err := p.writeTo(&b, t, qual)
	return b.String(), err
}

func (p *monoPlan) writeTo(b *strings.Builder, t types.Type, qual func(*types.Package) (string, bool)) error {
	w := func(t types.Type) error { return p.writeTo(b, t, qual) }
	switch t := t.(type) {
	case *types.Alias:
		if t.Obj().Pkg() == nil || t.TypeArgs().Len() > 0 {
			return w(types.Unalias(t))
		}
		return p.writeName(b, t.Obj(), qual)
	case *types.Basic:
		b.WriteString(types.Default(t).String())
	case *types.Named:
		obj := t.Obj()
		if t.TypeArgs().Len() > 0 {
			if _, ok := p.generics[t.Origin().Obj()]; ok {
				b.WriteString(p.instance(t.Origin().Obj(), typeList(t.TypeArgs())))
				return nil
			}
			if obj.Pkg() != nil && obj.Pkg().Path() == "iter" {
				return w(t.Underlying()) // yaegi has no package iter
			}
			if err := p.writeName(b, obj, qual); err != nil {
				return err
			}
			b.WriteString("[")
			for i := range t.TypeArgs().Len() {
				if i > 0 {
					b.WriteString(", ")
				}
				if err := w(t.TypeArgs().At(i)); err != nil {
					return err
				}
			}
			b.WriteString("]")
			return nil
		}
		if obj.Pkg() != nil && obj.Parent() != obj.Pkg().Scope() {
			return fmt.Errorf("its type argument %s is declared inside a function; declare %s at the top level", obj.Name(), obj.Name())
		}
		return p.writeName(b, obj, qual)
	case *types.Pointer:
		b.WriteString("*")
		return w(t.Elem())
	case *types.Slice:
		b.WriteString("[]")
		return w(t.Elem())
	case *types.Array:
		fmt.Fprintf(b, "[%d]", t.Len())
		return w(t.Elem())
	case *types.Map:
		b.WriteString("map[")
		if err := w(t.Key()); err != nil {
			return err
		}
		b.WriteString("]")
		return w(t.Elem())
	case *types.Chan:
		switch t.Dir() {
		case types.SendRecv:
			b.WriteString("chan ")
		case types.SendOnly:
			b.WriteString("chan<- ")
		case types.RecvOnly:
			b.WriteString("<-chan ")
		}
		if _, ok := t.Elem().(*types.Chan); ok {
			b.WriteString("(")
			defer b.WriteString(")")
		}
		return w(t.Elem())
	case *types.Signature:
		b.WriteString("func")
		return p.writeSignature(b, t, qual)
	case *types.Struct:
		b.WriteString("struct{")
		for i := range t.NumFields() {
			f := t.Field(i)
			if i > 0 {
				b.WriteString("; ")
			}
			if !f.Embedded() {
				b.WriteString(f.Name() + " ")
			}
			if err := w(f.Type()); err != nil {
				return err
			}
			if tag := t.Tag(i); tag != "" {
				b.WriteString(" " + strconv.Quote(tag))
			}
		}
		b.WriteString("}")
	case *types.Interface:
		b.WriteString("interface{")
		for i := range t.NumEmbeddeds() {
			if i > 0 {
				b.WriteString("; ")
			}
			if err := w(t.EmbeddedType(i)); err != nil {
				return err
			}
		}
		for i := range t.NumExplicitMethods() {
			if i > 0 || t.NumEmbeddeds() > 0 {
				b.WriteString("; ")
			}
			m := t.ExplicitMethod(i)
			b.WriteString(m.Name())
			if err := p.writeSignature(b, m.Type().(*types.Signature), qual); err != nil {
				return err
			}
		}
		b.WriteString("}")
	case *types.Union:
		for i := range t.Len() {
			if i > 0 {
				b.WriteString(" | ")
			}
			if t.Term(i).Tilde() {
				b.WriteString("~")
			}
			if err := w(t.Term(i).Type()); err != nil {
				return err
			}
		}
	case *types.TypeParam:
		return fmt.Errorf("gomp cannot tell its type parameter %s", t.Obj().Name())
	default:
		return fmt.Errorf("gomp cannot write the type %s", t)
	}
	return nil
}

func (p *monoPlan) writeName(b *strings.Builder, obj types.Object, qual func(*types.Package) (string, bool)) error {
	if obj.Pkg() != nil {
		name, ok := qual(obj.Pkg())
		if !ok {
			return fmt.Errorf("it needs %s.%s, whose package the cell does not import", obj.Pkg().Name(), obj.Name())
		}
		if name != "" {
			b.WriteString(name + ".")
		}
	}
	b.WriteString(obj.Name())
	return nil
}

func (p *monoPlan) writeSignature(b *strings.Builder, sig *types.Signature, qual func(*types.Package) (string, bool)) error {
	tuple := func(t *types.Tuple, variadic bool) error {
		for i := range t.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			typ := t.At(i).Type()
			if variadic && i == t.Len()-1 {
				b.WriteString("...")
				typ = typ.(*types.Slice).Elem()
			}
			if err := p.writeTo(b, typ, qual); err != nil {
				return err
			}
		}
		return nil
	}
	b.WriteString("(")
	if err := tuple(sig.Params(), sig.Variadic()); err != nil {
		return err
	}
	b.WriteString(")")
	switch sig.Results().Len() {
	case 0:
	case 1:
		b.WriteString(" ")
		return p.writeTo(b, sig.Results().At(0).Type(), qual)
	default:
		b.WriteString(" (")
		if err := tuple(sig.Results(), false); err != nil {
			return err
		}
		b.WriteString(")")
	}
	return nil
}

// renamedEntries are the session's declarations with the renames of the
// session file applied to their source.
func (p *monoPlan) renamedEntries(edits []edit) []*declEntry {
	pass := p.pass
	file := pass.sessionFile()
	if file == nil || len(edits) == 0 {
		return pass.entries
	}
	text := pass.texts[file]
	out := make([]*declEntry, 0, len(pass.entries))
	from := 0
	for _, e := range pass.entries {
		skip := e.src == ""
		for _, k := range e.keys {
			skip = skip || pass.replaced[k]
		}
		if skip {
			out = append(out, e)
			continue
		}
		at := strings.Index(text[from:], e.src)
		if at < 0 {
			out = append(out, e)
			continue
		}
		start := from + at
		end := start + len(e.src)
		from = end
		var local []edit
		for _, ed := range edits {
			if ed.start >= start && ed.end <= end {
				local = append(local, edit{ed.start - start, ed.end - start, ed.text})
			}
		}
		if len(local) == 0 {
			out = append(out, e)
			continue
		}
		c := *e
		c.src = applyEdits(e.src, local)
		out = append(out, &c)
	}
	return out
}

func typeList(l *types.TypeList) []types.Type {
	out := make([]types.Type, l.Len())
	for i := range l.Len() {
		out[i] = l.At(i)
	}
	return out
}

func concreteList(l *types.TypeList) bool {
	for i := range l.Len() {
		if !concrete(l.At(i)) {
			return false
		}
	}
	return true
}

// concrete tells whether t mentions no type parameter.
func concrete(t types.Type) bool {
	return !walkType(t, map[types.Type]bool{}, func(t types.Type) bool {
		_, ok := t.(*types.TypeParam)
		return ok
	})
}

// mentionsGeneric tells whether t mentions an instance of a notebook
// generic.
func mentionsGeneric(t types.Type, generics map[types.Object]genericDecl) bool {
	return walkType(t, map[types.Type]bool{}, func(t types.Type) bool {
		n, ok := t.(*types.Named)
		if !ok || n.TypeArgs().Len() == 0 {
			return false
		}
		_, ok = generics[n.Origin().Obj()]
		return ok
	})
}

// walkType reports whether found holds for t or a type it is made of.
func walkType(t types.Type, seen map[types.Type]bool, found func(types.Type) bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	if found(t) {
		return true
	}
	w := func(t types.Type) bool { return walkType(t, seen, found) }
	switch t := t.(type) {
	case *types.Alias:
		return w(types.Unalias(t))
	case *types.Named:
		for i := range t.TypeArgs().Len() {
			if w(t.TypeArgs().At(i)) {
				return true
			}
		}
	case *types.Pointer:
		return w(t.Elem())
	case *types.Slice:
		return w(t.Elem())
	case *types.Array:
		return w(t.Elem())
	case *types.Map:
		return w(t.Key()) || w(t.Elem())
	case *types.Chan:
		return w(t.Elem())
	case *types.Signature:
		return w(t.Params()) || w(t.Results())
	case *types.Tuple:
		for i := range t.Len() {
			if w(t.At(i).Type()) {
				return true
			}
		}
	case *types.Struct:
		for i := range t.NumFields() {
			if w(t.Field(i).Type()) {
				return true
			}
		}
	case *types.Interface:
		for i := range t.NumMethods() {
			if w(t.Method(i).Type()) {
				return true
			}
		}
	}
	return false
}

// subst replaces the type parameters of smap in t.
func subst(t types.Type, smap map[*types.TypeParam]types.Type) types.Type {
	s := func(t types.Type) types.Type { return subst(t, smap) }
	switch t := t.(type) {
	case *types.TypeParam:
		if a, ok := smap[t]; ok {
			return a
		}
		return t
	case *types.Alias:
		return s(types.Unalias(t))
	case *types.Named:
		if t.TypeArgs().Len() == 0 {
			return t
		}
		args := typeList(t.TypeArgs())
		changed := false
		for i, a := range args {
			if n := s(a); n != a {
				args[i], changed = n, true
			}
		}
		if !changed {
			return t
		}
		inst, err := types.Instantiate(nil, t.Origin(), args, false)
		if err != nil {
			return t
		}
		return inst
	case *types.Pointer:
		if e := s(t.Elem()); e != t.Elem() {
			return types.NewPointer(e)
		}
	case *types.Slice:
		if e := s(t.Elem()); e != t.Elem() {
			return types.NewSlice(e)
		}
	case *types.Array:
		if e := s(t.Elem()); e != t.Elem() {
			return types.NewArray(e, t.Len())
		}
	case *types.Map:
		k, e := s(t.Key()), s(t.Elem())
		if k != t.Key() || e != t.Elem() {
			return types.NewMap(k, e)
		}
	case *types.Chan:
		if e := s(t.Elem()); e != t.Elem() {
			return types.NewChan(t.Dir(), e)
		}
	case *types.Signature:
		params, pc := substTuple(t.Params(), smap)
		results, rc := substTuple(t.Results(), smap)
		if pc || rc {
			return types.NewSignatureType(nil, nil, nil, params, results, t.Variadic())
		}
	case *types.Struct:
		var fields []*types.Var
		var tags []string
		changed := false
		for i := range t.NumFields() {
			f := t.Field(i)
			ft := s(f.Type())
			changed = changed || ft != f.Type()
			fields = append(fields, types.NewField(f.Pos(), f.Pkg(), f.Name(), ft, f.Embedded()))
			tags = append(tags, t.Tag(i))
		}
		if changed {
			return types.NewStruct(fields, tags)
		}
	case *types.Interface:
		var methods []*types.Func
		changed := false
		for i := range t.NumExplicitMethods() {
			m := t.ExplicitMethod(i)
			mt := s(m.Type())
			changed = changed || mt != m.Type()
			methods = append(methods, types.NewFunc(m.Pos(), m.Pkg(), m.Name(), mt.(*types.Signature)))
		}
		var embeddeds []types.Type
		for i := range t.NumEmbeddeds() {
			e := s(t.EmbeddedType(i))
			changed = changed || e != t.EmbeddedType(i)
			embeddeds = append(embeddeds, e)
		}
		if changed {
			return types.NewInterfaceType(methods, embeddeds).Complete()
		}
	}
	return t
}

func substTuple(t *types.Tuple, smap map[*types.TypeParam]types.Type) (*types.Tuple, bool) {
	if t == nil {
		return nil, false
	}
	var vars []*types.Var
	changed := false
	for i := range t.Len() {
		v := t.At(i)
		vt := subst(v.Type(), smap)
		changed = changed || vt != v.Type()
		vars = append(vars, types.NewParam(v.Pos(), v.Pkg(), v.Name(), vt))
	}
	return types.NewTuple(vars...), changed
}
