package help

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// goroot is the Go tree of the machine running the tests.
var goroot = sync.OnceValue(findGOROOT)

// withSources returns an index reading GOROOT, skipping the test when this
// machine has no Go sources (the fallback tests cover that case).
func withSources(t testing.TB) *index {
	t.Helper()
	if goroot() == "" {
		t.Skip("no Go sources found (runtime.GOROOT, $GOROOT, go env GOROOT): source lookups untestable here")
	}
	return newIndex(goroot)
}

func TestLookupFromSources(t *testing.T) {
	idx := withSources(t)
	tests := []struct {
		pkg, name string
		kind      Kind
		decl      string // prefix of Decl
		text      string // substring of Text
		funcs     []string
		methods   []string
	}{
		{pkg: "fmt", name: "Println", kind: KindFunc,
			decl: "func Println(a ...any) (n int, err error)", text: "Println formats using the default formats"},
		{pkg: "strings", name: "Builder", kind: KindType,
			decl: "type Builder struct {", text: "A Builder is used to efficiently build a string",
			methods: []string{"func (b *Builder) WriteString(s string) (int, error)", "func (b *Builder) Len() int"}},
		{pkg: "strings", name: "Builder.WriteString", kind: KindMethod,
			decl: "func (b *Builder) WriteString(s string) (int, error)", text: "WriteString appends the contents of s"},
		{pkg: "time", name: "Duration", kind: KindType, decl: "type Duration int64",
			text:  "elapsed time between two instants",
			funcs: []string{"func ParseDuration(s string) (Duration, error)"}, methods: []string{"func (d Duration) Seconds() float64"}},
		{pkg: "time", name: "Nanosecond", kind: KindConst, decl: "const Nanosecond Duration = 1", text: "Common durations"},
		{pkg: "math", name: "Pi", kind: KindConst, decl: "const Pi = 3.14159265358979323846", text: "Mathematical constants"},
		{pkg: "io", name: "EOF", kind: KindVar, decl: `var EOF = errors.New("EOF")`, text: "EOF is the error returned by Read"},
		{pkg: "sync", name: "WaitGroup", kind: KindType, decl: "type WaitGroup struct {", text: "A WaitGroup",
			methods: []string{"func (wg *WaitGroup) Add(delta int)", "func (wg *WaitGroup) Done()", "func (wg *WaitGroup) Wait()"}},
		{pkg: "sync", name: "WaitGroup.Wait", kind: KindMethod, decl: "func (wg *WaitGroup) Wait()", text: "Wait blocks"},
		{pkg: "io", name: "Reader.Read", kind: KindMethod, decl: "Read(p []byte) (n int, err error)"},
		{pkg: "os/exec", name: "Cmd.Path", kind: KindField, decl: "Path string", text: "Path is the path of the command"},
		{pkg: "fmt", name: "", kind: KindPackage, decl: `package fmt // import "fmt"`, text: "Package fmt implements formatted I/O"},
		{pkg: "math/rand", name: "Intn", kind: KindFunc, decl: "func Intn(n int) int"},
		{pkg: "builtin", name: "append", kind: KindFunc, decl: "func append(slice []Type, elems ...Type) []Type",
			text: "appends elements to the end of a slice"},
		{pkg: "builtin", name: "error", kind: KindType, decl: "type error interface {", text: "conventional interface"},
	}
	for _, tt := range tests {
		t.Run(tt.pkg+"."+tt.name, func(t *testing.T) {
			d, ok := idx.lookup(tt.pkg, tt.name)
			if !ok {
				t.Fatal("not found")
			}
			if d.Kind != tt.kind || d.Reflected || d.ImportPath != tt.pkg || d.Name != tt.name {
				t.Errorf("got kind %q reflected %v path %q name %q", d.Kind, d.Reflected, d.ImportPath, d.Name)
			}
			if !strings.HasPrefix(d.Decl, tt.decl) {
				t.Errorf("Decl = %q\nwant prefix %q", d.Decl, tt.decl)
			}
			if !strings.Contains(d.Text, tt.text) {
				t.Errorf("Text = %q\nwant it to contain %q", d.Text, tt.text)
			}
			if (d.Text == "") != (d.Markdown == "") {
				t.Errorf("Text %q but Markdown %q", d.Text, d.Markdown)
			}
			for _, f := range tt.funcs {
				if !slices.Contains(d.Funcs, f) {
					t.Errorf("Funcs %q lack %q", d.Funcs, f)
				}
			}
			for _, m := range tt.methods {
				if !slices.Contains(d.Methods, m) {
					t.Errorf("Methods %q lack %q", d.Methods, m)
				}
			}
			if tt.kind != KindPackage && (d.Source == "" || !strings.HasPrefix(d.Position, tt.pkg+"/")) {
				t.Errorf("no source: Source %q Position %q", d.Source, d.Position)
			}
		})
	}
}

func TestLookupUnknown(t *testing.T) {
	for _, idx := range []*index{newIndex(goroot), newIndex(func() string { return t.TempDir() })} {
		for _, q := range [][2]string{
			{"fmt", "Nope"}, {"fmt", "nope"}, {"strings", "Builder.Nope"}, {"strings", "Nope.Len"},
			{"fmt", "Println.X"}, {"no/such/pkg", ""}, {"no/such/pkg", "X"}, {"../../etc", ""}, {"", "X"},
		} {
			if d, ok := idx.lookup(q[0], q[1]); ok {
				t.Errorf("Lookup(%q, %q) found %+v", q[0], q[1], d)
			}
		}
	}
}

// TestLookupWithoutSources points GOROOT at an empty directory: the
// signatures come from yaegi's symbol tables.
func TestLookupWithoutSources(t *testing.T) {
	idx := newIndex(func() string { return t.TempDir() })
	tests := map[[2]string]string{
		{"fmt", "Println"}:                 "func Println(...any) (int, error)",
		{"strings", "Builder"}:             "type Builder struct {\n\t// contains filtered or unexported fields\n}",
		{"strings", "Builder.WriteString"}: "func (*Builder) WriteString(string) (int, error)",
		{"time", "Duration"}:               "type Duration int64",
		{"time", "Duration.Seconds"}:       "func (Duration) Seconds() float64",
		{"time", "Nanosecond"}:             "const Nanosecond Duration = 1",
		{"time", "RFC3339"}:                `const RFC3339 = "2006-01-02T15:04:05Z07:00"`,
		{"math", "Pi"}:                     "const Pi = 3.141592653589793",
		{"io", "EOF"}:                      "var EOF error",
		{"io", "Reader.Read"}:              "Read([]byte) (int, error)",
		{"bufio", "SplitFunc"}:             "type SplitFunc func([]byte, bool) (int, []byte, error)",
		{"sync", "WaitGroup.Add"}:          "func (*WaitGroup) Add(int)",
		{"fmt", ""}:                        "package fmt",
	}
	for q, want := range tests {
		d, ok := idx.lookup(q[0], q[1])
		if !ok {
			t.Errorf("Lookup(%q, %q): not found", q[0], q[1])
			continue
		}
		if d.Decl != want || !d.Reflected || d.Text != "" {
			t.Errorf("Lookup(%q, %q) = Decl %q Reflected %v Text %q\nwant Decl %q", q[0], q[1], d.Decl, d.Reflected, d.Text, want)
		}
		if !strings.Contains(PlainText(d, 1), "Documentation unavailable") {
			t.Errorf("Lookup(%q, %q) does not say the documentation is unavailable", q[0], q[1])
		}
	}
	d, _ := idx.lookup("sync", "WaitGroup")
	if !slices.Contains(d.Methods, "func (*WaitGroup) Wait()") {
		t.Errorf("WaitGroup methods by reflection: %q", d.Methods)
	}
	// The generic packages have no symbol table, but yaegi carries their
	// sources, with doc comments.
	d, ok := idx.lookup("slices", "Index")
	if !ok || d.Reflected || !strings.HasPrefix(d.Decl, "func Index[S ~[]E, E comparable](s S, v E) int") || d.Text == "" {
		t.Errorf("slices.Index without GOROOT = %+v", d)
	}
}

func TestFindGOROOT(t *testing.T) {
	if hasStdSources("") || hasStdSources(t.TempDir()) {
		t.Error("hasStdSources accepts a directory without sources")
	}
	if dir := goroot(); dir != "" && !hasStdSources(dir) {
		t.Errorf("findGOROOT = %q, which has no sources", dir)
	}
}

func TestConcurrentLookups(t *testing.T) {
	idx := newIndex(goroot)
	queries := [][2]string{{"fmt", "Println"}, {"strings", "Builder.WriteString"}, {"sync", "WaitGroup"},
		{"time", "Duration"}, {"math", "Pi"}, {"net/http", "Server"}, {"fmt", ""}}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				q := queries[(g+i)%len(queries)]
				if _, ok := idx.lookup(q[0], q[1]); !ok {
					t.Errorf("Lookup(%q, %q) failed", q[0], q[1])
				}
				idx.members(q[0])
				idx.packages()
			}
		}()
	}
	wg.Wait()
}
