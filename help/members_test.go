package help

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestMembers(t *testing.T) {
	has := func(pkg, name string, kind Kind) {
		t.Helper()
		ms := Members(pkg)
		if !sort.SliceIsSorted(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name }) {
			t.Errorf("Members(%q) is not sorted", pkg)
		}
		if !slices.Contains(ms, Member{Name: name, Kind: kind}) {
			t.Errorf("Members(%q) lacks %s %s", pkg, kind, name)
		}
	}
	has("strings", "Builder", KindType)
	has("strings", "Split", KindFunc)
	has("io", "EOF", KindVar)
	has("io", "Reader", KindType)
	has("math", "Pi", KindConst)
	has("time", "Nanosecond", KindConst)
	has("time", "RFC3339", KindConst)
	has("slices", "Index", KindFunc) // from yaegi's generic sources
	has("maps", "Clone", KindFunc)

	for _, m := range Members("sync") {
		if strings.HasPrefix(m.Name, "_") {
			t.Errorf("Members lists yaegi's interface wrapper %s", m.Name)
		}
	}
	if ms := Members("no/such/pkg"); ms != nil {
		t.Errorf("Members of an unknown package = %v", ms)
	}
}

func TestPackages(t *testing.T) {
	ps := Packages()
	if !sort.StringsAreSorted(ps) {
		t.Error("Packages is not sorted")
	}
	for _, want := range []string{"fmt", "math/rand", "math/rand/v2", "net/http", "slices", "sync"} {
		if !slices.Contains(ps, want) {
			t.Errorf("Packages lacks %s", want)
		}
	}
	for _, p := range ps {
		if p == "." || strings.Contains(p, "yaegi") || strings.HasSuffix(p, "/rand/rand") {
			t.Errorf("Packages lists %q", p)
		}
	}
}
