package help

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// srcFile is one Go file of a package, by name within the package.
type srcFile struct {
	name string
	src  []byte
}

// sourcePackage is a parsed, documented package.
type sourcePackage struct {
	importPath string
	fset       *token.FileSet
	doc        *doc.Package
	src        map[string][]byte // file name (as in fset) → contents, for Source
	std        bool              // a standard library package: it has pkg.go.dev pages
}

// readPackageFiles reads the Go files of the package at the root of fsys
// that build for this GOOS/GOARCH (an os package has one file per system
// for some functions; reading them all would document duplicates).
// Test files are skipped.
func readPackageFiles(fsys fs.FS) ([]srcFile, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("listing package sources: %w", err)
	}
	ctxt := build.Default
	ctxt.JoinPath = path.Join
	ctxt.OpenFile = func(name string) (io.ReadCloser, error) { return fsys.Open(name) }
	var files []srcFile
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := ctxt.MatchFile(".", name); err != nil || !ok {
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		files = append(files, srcFile{name: name, src: src})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Go files: %w", fs.ErrNotExist)
	}
	return files, nil
}

// parsePackage parses files and computes their documentation. File names in
// positions are prefixed with the import path ("strings/builder.go:16").
// Parsing keeps comments but skips object resolution, which go/doc does not
// need and which costs time on large packages.
func parsePackage(importPath string, std bool, files []srcFile) (*sourcePackage, error) {
	fset := token.NewFileSet()
	byPkg := map[string][]*ast.File{}
	src := map[string][]byte{}
	for _, f := range files {
		name := path.Join(importPath, f.name)
		af, err := parser.ParseFile(fset, name, f.src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			continue // a file the toolchain would reject; document the rest
		}
		byPkg[af.Name.Name] = append(byPkg[af.Name.Name], af)
		src[name] = f.src
	}
	asts := byPkg[mainPackageName(importPath, byPkg)]
	if len(asts) == 0 {
		return nil, fmt.Errorf("parsing %s: no file parses", importPath)
	}
	// PreserveAST keeps function bodies for Source; AllMethods lists the
	// methods promoted from exported embedded types too, as the method set
	// a user can call.
	mode := doc.PreserveAST | doc.AllMethods
	if importPath == "builtin" {
		// Its names (len, append, error...) are lower-case; go doc
		// makes the same exception.
		mode |= doc.AllDecls
	}
	d, err := doc.NewFromFiles(fset, asts, importPath, mode)
	if err != nil {
		return nil, fmt.Errorf("documenting %s: %w", importPath, err)
	}
	return &sourcePackage{importPath: importPath, fset: fset, doc: d, src: src, std: std}, nil
}

// mainPackageName picks the package a directory is about when its files
// disagree (a stray generator in package main, say): the one named like the
// directory, else the one with most files.
func mainPackageName(importPath string, byPkg map[string][]*ast.File) string {
	if _, ok := byPkg[path.Base(importPath)]; ok {
		return path.Base(importPath)
	}
	names := make([]string, 0, len(byPkg))
	for n := range byPkg {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(byPkg[names[i]]) != len(byPkg[names[j]]) {
			return len(byPkg[names[i]]) > len(byPkg[names[j]])
		}
		return names[i] < names[j]
	})
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// sourceOf returns the source text of node, from its doc comment (if any)
// to its end, as written in the file.
func (p *sourcePackage) sourceOf(docGroup *ast.CommentGroup, node ast.Node) (text, position string) {
	start := node.Pos()
	if docGroup != nil && docGroup.Pos() < start {
		start = docGroup.Pos()
	}
	pos := p.fset.Position(start)
	end := p.fset.Position(node.End())
	src := p.src[pos.Filename]
	if src == nil || pos.Offset > end.Offset || end.Offset > len(src) {
		return "", ""
	}
	return string(bytes.TrimRight(src[pos.Offset:end.Offset], "\n")),
		fmt.Sprintf("%s:%d", pos.Filename, p.fset.Position(node.Pos()).Line)
}
