package help

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/doc/comment"
	"go/token"
	"strings"
)

// lookup finds name ("", "Println", "Builder", "Builder.WriteString",
// "Cmd.Path", "Reader.Read" for an interface method) in a parsed package.
func (p *sourcePackage) lookup(name string) (Doc, bool) {
	if name == "" {
		d := p.newDoc("", KindPackage, p.doc.Doc)
		d.Decl = fmt.Sprintf("package %s // import %q", p.doc.Name, p.importPath)
		return d, true
	}
	if typeName, member, ok := strings.Cut(name, "."); ok {
		t := p.findType(typeName)
		if t == nil {
			return Doc{}, false
		}
		return p.lookupMember(t, member)
	}
	if f := p.findFunc(name); f != nil {
		d := p.newDoc(name, KindFunc, f.Doc)
		d.Decl = funcDecl(p.fset, f.Decl)
		d.Source, d.Position = p.sourceOf(f.Decl.Doc, f.Decl)
		return d, true
	}
	if t := p.findType(name); t != nil {
		return p.typeDoc(t), true
	}
	if v, spec := p.findValue(name); v != nil {
		kind := KindVar
		if v.Decl.Tok == token.CONST {
			kind = KindConst
		}
		text := v.Doc
		if spec.Doc != nil { // a spec's own comment says more than its group's
			text = spec.Doc.Text()
		}
		d := p.newDoc(name, kind, text)
		d.Decl = valueDecl(p.fset, v.Decl, spec)
		d.Source, d.Position = p.sourceOf(v.Decl.Doc, v.Decl)
		return d, true
	}
	return Doc{}, false
}

func (p *sourcePackage) typeDoc(t *doc.Type) Doc {
	d := p.newDoc(t.Name, KindType, t.Doc)
	spec := typeSpec(t)
	if spec == nil {
		return d
	}
	d.Decl = typeDecl(p.fset, spec)
	for _, f := range t.Funcs {
		d.Funcs = append(d.Funcs, funcDecl(p.fset, f.Decl))
	}
	for _, m := range t.Methods {
		if m.Decl != nil && ast.IsExported(m.Name) {
			d.Methods = append(d.Methods, funcDecl(p.fset, m.Decl))
		}
	}
	if t.Decl.Lparen.IsValid() { // one spec of a type ( ... ) group
		src, pos := p.sourceOf(spec.Doc, spec)
		d.Source, d.Position = "type "+src, pos
	} else {
		d.Source, d.Position = p.sourceOf(t.Decl.Doc, t.Decl)
	}
	return d
}

// lookupMember finds a method, a struct field or an interface method of t.
func (p *sourcePackage) lookupMember(t *doc.Type, member string) (Doc, bool) {
	qualified := t.Name + "." + member
	for _, m := range t.Methods {
		if m.Name == member && m.Decl != nil {
			d := p.newDoc(qualified, KindMethod, m.Doc)
			d.Decl = funcDecl(p.fset, m.Decl)
			d.Source, d.Position = p.sourceOf(m.Decl.Doc, m.Decl)
			return d, true
		}
	}
	spec := typeSpec(t)
	if spec == nil {
		return Doc{}, false
	}
	var fields *ast.FieldList
	kind := KindField
	switch st := spec.Type.(type) {
	case *ast.StructType:
		fields = st.Fields
	case *ast.InterfaceType:
		fields, kind = st.Methods, KindMethod
	}
	if fields == nil {
		return Doc{}, false
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			if n.Name != member {
				continue
			}
			text := f.Doc.Text()
			if text == "" {
				text = f.Comment.Text()
			}
			d := p.newDoc(qualified, kind, text)
			d.Decl = fieldDecl(p.fset, f)
			d.Source, d.Position = p.sourceOf(f.Doc, f)
			return d, true
		}
	}
	return Doc{}, false
}

func (p *sourcePackage) findFunc(name string) *doc.Func {
	for _, f := range p.doc.Funcs {
		if f.Name == name {
			return f
		}
	}
	for _, t := range p.doc.Types { // constructors are grouped with their type
		for _, f := range t.Funcs {
			if f.Name == name {
				return f
			}
		}
	}
	return nil
}

func (p *sourcePackage) findType(name string) *doc.Type {
	for _, t := range p.doc.Types {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// findValue finds the const or var declaration of name, and its spec.
// Typed constants (time.Nanosecond) are grouped with their type.
func (p *sourcePackage) findValue(name string) (*doc.Value, *ast.ValueSpec) {
	groups := [][]*doc.Value{p.doc.Consts, p.doc.Vars}
	for _, t := range p.doc.Types {
		groups = append(groups, t.Consts, t.Vars)
	}
	for _, values := range groups {
		for _, v := range values {
			for _, s := range v.Decl.Specs {
				vs := s.(*ast.ValueSpec)
				for _, n := range vs.Names {
					if n.Name == name {
						return v, vs
					}
				}
			}
		}
	}
	return nil, nil
}

func typeSpec(t *doc.Type) *ast.TypeSpec {
	for _, s := range t.Decl.Specs {
		if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.Name == t.Name {
			return ts
		}
	}
	return nil
}

// newDoc starts a Doc with its comment rendered as text and Markdown.
func (p *sourcePackage) newDoc(name string, kind Kind, text string) Doc {
	parsed := p.doc.Parser().Parse(text)
	pr := p.doc.Printer()
	pr.DocLinkURL = p.docLinkURL
	d := Doc{
		ImportPath: p.importPath,
		Name:       name,
		Kind:       kind,
		Synopsis:   p.doc.Synopsis(text),
		Text:       strings.TrimRight(string(pr.Text(parsed)), "\n"),
		Markdown:   strings.TrimRight(string(pr.Markdown(parsed)), "\n"),
	}
	if p.std {
		d.URL = stdURL(p.importPath, name)
	}
	return d
}

// docLinkURL points doc links ([Println], [io.Writer]) to pkg.go.dev for
// the standard library. Links into registered packages have no page, so
// they stay plain text.
func (p *sourcePackage) docLinkURL(l *comment.DocLink) string {
	importPath := l.ImportPath
	if importPath == "" {
		if !p.std {
			return ""
		}
		importPath = p.importPath
	} else if !isStdlib(importPath) {
		return ""
	}
	name := l.Name
	if l.Recv != "" {
		name = l.Recv + "." + l.Name
	}
	return stdURL(importPath, name)
}

func stdURL(importPath, name string) string {
	if name == "" {
		return "https://pkg.go.dev/" + importPath
	}
	return "https://pkg.go.dev/" + importPath + "#" + name
}
