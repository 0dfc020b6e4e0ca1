package eval

import (
	"go/token"
	"strings"
	"testing"

	"gomp/eval/internal/stdsyms"
)

// The drift test of the generated tables: everything the installed Go's
// standard library has and yaegi's tables lack (generic code aside) is in
// newerSymbols. After a Go upgrade this fails until `go generate ./eval`
// is run again.
func TestNewerSymbolsCoverTheInstalledGo(t *testing.T) {
	missing, err := stdsyms.Missing(sharedImporter)
	if err != nil {
		t.Fatal(err)
	}
	for path, objs := range missing {
		key := path + "/" + objs[0].Pkg().Name()
		for _, obj := range objs {
			if _, ok := newerSymbols[key][obj.Name()]; !ok {
				t.Errorf("%s.%s is in the installed Go but in no symbol table: run go generate ./eval", path, obj.Name())
			}
		}
	}
	if len(missing) == 0 {
		t.Fatal("nothing found missing from yaegi's tables: the importer found no packages")
	}
}

// Functions newer than yaegi's tables are callable in cells.
func TestNewerStandardLibraryInCells(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "strings"; "math/rand/v2")
for part := range strings.SplitSeq("a,b,c", ",") {
	fmt.Print(part, " ")
}
r := rand.New(rand.NewPCG(1, 2))
n := r.IntN(100)
fmt.Println(n >= 0 && n < 100, rand.N(10) < 10)`)
	if c.rec.out() != "a b c true true\n" {
		t.Fatalf("got %q", c.rec.out())
	}
	_ = token.INT
	_ = strings.Contains
}
