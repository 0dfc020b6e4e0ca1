package display

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// TestCellUsesDisplay runs cells in a real interpreter, as the kernel does.
func TestCellUsesDisplay(t *testing.T) {
	r := record(t)
	i := interp.New(interp.Options{})
	if err := i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := i.Use(Symbols); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(`import "display"`); err != nil {
		t.Fatalf("import: %v", err)
	}

	// What Eval returns for these calls is not their value: yaegi v0.16.1
	// hands back the callee or the receiver for a call without results, so
	// the evaluator decides from the code whether a cell has a value.
	cells := []string{
		`display.HTML("<b>x</b>")`,
		`h := display.NewHandle()`,
		`h.Text("a")`,
		`h.Markdown("**b**")`,
		`p := display.NewProgress(3)`,
		`for i := 0; i < 3; i++ { p.Add(1) }`,
		`type point struct{ X, Y int }`,
		`display.JSON(point{1, 2})`,
		`display.Data(map[string]any{"text/html": "<i>d</i>"})`,
		`display.Clear(true)`,
	}
	for _, cell := range cells {
		if _, err := i.Eval(cell); err != nil {
			t.Fatalf("%s: %v", cell, err)
		}
	}

	ds := r.Displays()
	var kinds []string
	for _, d := range ds {
		for mime := range d.Data {
			if mime != "text/plain" {
				kinds = append(kinds, mime)
			}
		}
		if len(d.Data) == 1 {
			kinds = append(kinds, "text/plain") // Text's only entry
		}
	}
	want := "text/html text/plain text/markdown text/html text/html application/json text/html"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("cells displayed %s\nwant             %s", got, want)
	}
	if ds[1].DisplayID == "" || ds[2].DisplayID != ds[1].DisplayID || !ds[2].Update {
		t.Errorf("handle displays: %+v %+v", ds[1], ds[2])
	}
	if got := plain(ds[4]); !strings.Contains(got, "3/3  100%") {
		t.Errorf("progress final state = %q", got)
	}
	if got := plain(ds[5]); got != "{\n  \"X\": 1,\n  \"Y\": 2\n}" {
		t.Errorf("JSON of an interpreted struct = %q", got)
	}
	if len(r.clears) != 1 || !r.clears[0] {
		t.Errorf("clears = %v", r.clears)
	}
}

// TestSymbolsCoverExportedAPI keeps the hand-written Symbols in step with
// the package: every exported func and type is there, except the ones for
// the evaluator only.
func TestSymbolsCoverExportedAPI(t *testing.T) {
	evaluatorOnly := map[string]bool{"SetOutput": true, "Flush": true, "NewProgressTo": true} // NewProgressTo: for Go packages (mp) that draw into a given cell
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
					if ts, ok := spec.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						want[ts.Name.Name] = true
					}
				}
			}
		}
	}
	got := Symbols["display/display"]
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("Symbols lacks %s", name)
		}
	}
	for name := range got {
		if !want[name] {
			t.Errorf("Symbols has %s, which is not an exported func or type for cells", name)
		}
	}
}
