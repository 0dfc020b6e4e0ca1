// Package stdsyms tells what the installed Go's standard library has that
// yaegi v0.16.1's symbol tables lack: what eval/internal/gensyms generates
// tables for, and what eval's drift test checks they cover.
package stdsyms

import (
	"go/types"
	"strings"

	"github.com/traefik/yaegi/stdlib"
)

// ExtraPackages are standard packages newer than yaegi's tables.
var ExtraPackages = []string{"math/rand/v2"}

// Skipped are packages whose newer symbols a cell has no use for and whose
// values do not build everywhere.
var Skipped = map[string]bool{"runtime/trace": true, "debug/elf": true, "go/types": true}

// Missing lists, per package path, the exported non-generic objects of the
// installed Go that yaegi's tables lack.
func Missing(imp types.Importer) (map[string][]types.Object, error) {
	paths := map[string]bool{}
	for key := range stdlib.Symbols {
		if i := strings.LastIndex(key, "/"); i > 0 {
			paths[key[:i]] = true
		}
	}
	for _, p := range ExtraPackages {
		paths[p] = true
	}
	missing := map[string][]types.Object{}
	for path := range paths {
		if Skipped[path] {
			continue
		}
		pkg, err := imp.Import(path)
		if err != nil {
			continue // not a package of this platform
		}
		have := stdlib.Symbols[path+"/"+pkg.Name()]
		for _, name := range pkg.Scope().Names() {
			obj := pkg.Scope().Lookup(name)
			if !obj.Exported() || generic(obj) {
				continue
			}
			if _, ok := have[name]; ok {
				continue
			}
			missing[path] = append(missing[path], obj)
		}
	}
	return missing, nil
}

func generic(obj types.Object) bool {
	switch o := obj.(type) {
	case *types.Func:
		return o.Type().(*types.Signature).TypeParams().Len() > 0
	case *types.TypeName:
		if o.IsAlias() {
			return true // an alias's value is its target's, already there
		}
		if n, ok := o.Type().(*types.Named); ok {
			if iface, ok := n.Underlying().(*types.Interface); ok && !iface.IsMethodSet() {
				return true // a constraint (cmp.Ordered): no value either
			}
			return n.TypeParams().Len() > 0
		}
	}
	return false
}
