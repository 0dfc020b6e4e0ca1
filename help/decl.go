package help

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/printer"
	"go/token"
	"strings"
)

// printConfig is gofmt's layout.
var printConfig = printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}

// printNode prints an AST node as Go source.
func printNode(fset *token.FileSet, node any) string {
	var buf bytes.Buffer
	if err := printConfig.Fprint(&buf, fset, node); err != nil {
		return ""
	}
	return strings.TrimRight(buf.String(), "\n")
}

// funcDecl prints a func or method declaration without its doc and body:
// its signature. The AST is shared with the cache, so it is copied, not
// edited.
func funcDecl(fset *token.FileSet, fd *ast.FuncDecl) string {
	sig := *fd
	sig.Doc, sig.Body = nil, nil
	return printNode(fset, &sig)
}

// typeDecl prints "type T ..." with field and method comments left out, so
// that a struct with long field docs reads as a summary of its fields.
func typeDecl(fset *token.FileSet, spec *ast.TypeSpec) string {
	ts := *spec
	ts.Doc, ts.Comment = nil, nil
	switch t := ts.Type.(type) {
	case *ast.StructType:
		st := *t
		st.Fields = withoutFieldDocs(t.Fields)
		ts.Type = &st
	case *ast.InterfaceType:
		it := *t
		it.Methods = withoutFieldDocs(t.Methods)
		ts.Type = &it
	}
	out := dropBlankLines(printNode(fset, &ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{&ts}}))
	// Fields were aligned in runs between the removed comments; format
	// again to align them as one block.
	if formatted, err := format.Source([]byte(out)); err == nil {
		out = string(formatted)
	}
	return out
}

func withoutFieldDocs(fl *ast.FieldList) *ast.FieldList {
	if fl == nil {
		return nil
	}
	c := *fl
	c.List = make([]*ast.Field, len(fl.List))
	for i, f := range fl.List {
		g := *f
		g.Doc = nil
		c.List[i] = &g
	}
	return &c
}

// dropBlankLines removes the blank lines that removed comments leave: the
// printer keeps the original line positions.
func dropBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// valueDecl prints the const or var spec that declares a name. A spec with
// its own value reads alone ("const Pi = 3.14159..."); one without (the
// implicit repetition of an iota group) means nothing outside its group,
// so the whole group is printed.
func valueDecl(fset *token.FileSet, gd *ast.GenDecl, spec *ast.ValueSpec) string {
	if len(spec.Values) > 0 || spec.Type != nil && len(gd.Specs) == 1 {
		vs := *spec
		vs.Doc = nil
		return printNode(fset, &ast.GenDecl{Tok: gd.Tok, Specs: []ast.Spec{&vs}})
	}
	group := *gd
	group.Doc = nil
	return printNode(fset, &group)
}

// fieldDecl prints one struct field or interface method: "Path string",
// "Read(p []byte) (n int, err error)".
func fieldDecl(fset *token.FileSet, f *ast.Field) string {
	g := *f
	g.Doc, g.Comment = nil, nil
	names := make([]string, len(g.Names))
	for i, n := range g.Names {
		names[i] = n.Name
	}
	typ := printNode(fset, g.Type)
	if ft, ok := g.Type.(*ast.FuncType); ok && len(names) > 0 { // an interface method
		return names[0] + strings.TrimPrefix(printNode(fset, ft), "func")
	}
	if len(names) == 0 { // embedded
		return typ
	}
	return strings.Join(names, ", ") + " " + typ
}
