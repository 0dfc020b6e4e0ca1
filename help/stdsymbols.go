package help

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"reflect"
	"strings"
	"sync"

	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/generic"
)

// stdTables is what the interpreter offers of the standard library, by
// import path. Built once from yaegi's tables, which never change after
// their package init.
type stdTables struct {
	// symbols: stdlib.Symbols re-keyed by import path ("math/rand/rand"
	// becomes "math/rand"), without yaegi's own entries.
	symbols map[string]map[string]reflect.Value
	// generic: the source files yaegi compiles at Use for the packages of
	// generic functions (cmp, maps, slices), whose symbol tables are empty.
	generic map[string][]srcFile
	// genericMembers: the exported names those sources declare.
	genericMembers map[string][]Member
}

var std = sync.OnceValue(loadStdTables)

func loadStdTables() *stdTables {
	t := &stdTables{
		symbols:        map[string]map[string]reflect.Value{},
		generic:        map[string][]srcFile{},
		genericMembers: map[string][]Member{},
	}
	for key, syms := range stdlib.Symbols {
		importPath := path.Dir(key)
		if importPath == "." || strings.Contains(strings.SplitN(importPath, "/", 2)[0], ".") {
			continue // "." holds yaegi's MapTypes; github.com/... is yaegi itself
		}
		t.symbols[importPath] = syms
	}
	for _, src := range generic.Sources {
		f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		// These packages sit at the top of the tree: their import path is
		// their name.
		importPath := f.Name.Name
		name := importPath + ".go"
		if n := len(t.generic[importPath]); n > 0 {
			name = importPath + "_" + string(rune('a'+n)) + ".go"
		}
		t.generic[importPath] = append(t.generic[importPath], srcFile{name: name, src: []byte(src)})
		t.genericMembers[importPath] = append(t.genericMembers[importPath], declaredMembers(f)...)
	}
	return t
}

// declaredMembers lists the exported top-level names a file declares.
func declaredMembers(f *ast.File) []Member {
	var ms []Member
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.IsExported() {
				ms = append(ms, Member{Name: d.Name.Name, Kind: KindFunc})
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						ms = append(ms, Member{Name: s.Name.Name, Kind: KindType})
					}
				case *ast.ValueSpec:
					kind := KindVar
					if d.Tok == token.CONST {
						kind = KindConst
					}
					for _, n := range s.Names {
						if n.IsExported() {
							ms = append(ms, Member{Name: n.Name, Kind: kind})
						}
					}
				}
			}
		}
	}
	return ms
}

// isStdlib tells whether the interpreter offers importPath from the
// standard library.
func isStdlib(importPath string) bool {
	_, ok := std().symbols[importPath]
	return ok
}
