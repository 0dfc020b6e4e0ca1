package help

import (
	"io/fs"
	"path"

	"github.com/traefik/yaegi/interp"
)

// Register adds the packages of exports, the symbols given to the
// interpreter with Use (such as display.Symbols), to what Lookup, Members
// and Packages know. src holds the packages' Go files, so that their doc
// comments are shown: for one package, its files at the root of src (a
// package can embed its own with //go:embed *.go; test files are skipped);
// for several, one directory per import path. With a nil src, Lookup builds
// signatures by reflection and says the documentation is unavailable.
//
// Registering a package again replaces it.
func Register(exports interp.Exports, src fs.FS) { defaultIndex.register(exports, src) }

func (idx *index) register(exports interp.Exports, src fs.FS) {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	for key, syms := range exports {
		pkgPath := path.Dir(key)
		if pkgPath == "." {
			continue // yaegi's MapTypes, not a package
		}
		pkgSrc := src
		if src != nil && len(exports) > 1 {
			if sub, err := fs.Sub(src, pkgPath); err == nil {
				pkgSrc = sub
			}
		}
		idx.registered[pkgPath] = registeredPackage{symbols: syms, src: pkgSrc}
		delete(idx.parsed, pkgPath) // parse the new sources on next use
	}
}
