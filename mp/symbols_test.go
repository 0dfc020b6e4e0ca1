package mp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"
)

// TestSymbolsCoverExportedAPI keeps the hand-written Symbols in step with
// the package: every exported func, type, constant and variable is there, except the
// ones for the evaluator and main.
func TestSymbolsCoverExportedAPI(t *testing.T) {
	evaluatorOnly := map[string]bool{
		"SetHost": true, "Prewarm": true, "RunChild": true, "Shutdown": true, "RemoveStale": true,
		// The Host interface and what crosses it.
		"Host": true, "CellInfo": true, "Target": true, "Snapshot": true, "TargetPanic": true, "ExitRequest": true,
		// The package's own tables, for the kernel.
		"Symbols": true, "Source": true,
		// gomp grade's: the language it passes each notebook's kernel.
		"NotebookLang": true, "LangEnv": true,
	}
	want := map[string]bool{}
	fset := token.NewFileSet()
	files, err := fs.Glob(Source, "*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(Source, name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() && !evaluatorOnly[d.Name.Name] {
					want[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && !evaluatorOnly[s.Name.Name] {
							want[s.Name.Name] = true
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							// Exported variables are the errors cells compare with errors.Is.
							if n.IsExported() && !evaluatorOnly[n.Name] && (d.Tok == token.CONST || d.Tok == token.VAR) {
								want[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	got := Symbols["mp/mp"]
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("Symbols lacks %s", name)
		}
	}
	for name := range got {
		if !want[name] {
			t.Errorf("Symbols has %s, which is not an exported func, type, constant or variable for cells", name)
		}
	}
}
