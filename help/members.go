package help

import (
	"slices"
	"sort"
	"strings"
)

// Members lists the exported names a cell can use from the package at
// pkgPath, sorted by name, or nil for an unknown package. It reads the
// interpreter's tables, not sources, so it lists exactly what a cell can
// import (yaegi v0.16.1's slices has no Sort, for one) and works without
// GOROOT.
func Members(pkgPath string) []Member { return defaultIndex.members(pkgPath) }

func (idx *index) members(pkgPath string) []Member {
	syms := idx.symbols(pkgPath)
	var ms []Member
	for name, v := range syms {
		if strings.HasPrefix(name, "_") {
			continue // interface wrappers
		}
		ms = append(ms, Member{Name: name, Kind: symbolKind(v)})
	}
	if !idx.isRegistered(pkgPath) {
		ms = append(ms, std().genericMembers[pkgPath]...)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	return slices.CompactFunc(ms, func(a, b Member) bool { return a.Name == b.Name })
}

// Packages lists the import paths a cell can import: the standard library
// as the interpreter offers it and the registered packages, sorted.
func Packages() []string { return defaultIndex.packages() }

func (idx *index) packages() []string {
	seen := map[string]bool{}
	for p := range std().symbols {
		seen[p] = true
	}
	for p := range std().generic {
		seen[p] = true
	}
	idx.mu.Lock()
	for p := range idx.registered {
		seen[p] = true
	}
	idx.mu.Unlock()
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
