package help

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sync"
)

// index answers lookups and caches parsed packages. The package-level
// functions use defaultIndex; tests make their own with another GOROOT.
type index struct {
	goroot func() string // the Go tree with sources, "" when there is none

	mu         sync.Mutex
	parsed     map[string]*parseOnce // by import path
	registered map[string]registeredPackage
}

// parseOnce parses one package once, however many goroutines ask for it;
// lookups of other packages do not wait for it.
type parseOnce struct {
	once sync.Once
	pkg  *sourcePackage
	err  error
}

type registeredPackage struct {
	symbols map[string]reflect.Value
	src     fs.FS // nil: no sources, reflection only
}

var defaultIndex = newIndex(sync.OnceValue(findGOROOT))

func newIndex(goroot func() string) *index {
	return &index{
		goroot:     goroot,
		parsed:     map[string]*parseOnce{},
		registered: map[string]registeredPackage{},
	}
}

// Lookup documents a package-level name of the package at pkgPath: a func
// ("Println"), type ("Builder"), var, const, a method or field of a type
// ("Builder.WriteString"), or with name "" the package itself. It reports
// false when the package or the name is unknown.
func Lookup(pkgPath, name string) (Doc, bool) { return defaultIndex.lookup(pkgPath, name) }

func (idx *index) lookup(pkgPath, name string) (Doc, bool) {
	if p, err := idx.sourcePackage(pkgPath); err == nil {
		if d, ok := p.lookup(name); ok {
			return d, true
		}
	}
	// No sources, or sources of another Go version than the interpreter's
	// tables: the tables still know the signature.
	syms := idx.symbols(pkgPath)
	if syms == nil {
		return Doc{}, false
	}
	d, ok := reflectDoc(pkgPath, name, syms)
	if ok && isStdlib(pkgPath) && !idx.isRegistered(pkgPath) {
		d.URL = stdURL(pkgPath, name)
	}
	return d, ok
}

// sourcePackage returns the parsed sources of pkgPath, parsing them on
// first use.
func (idx *index) sourcePackage(pkgPath string) (*sourcePackage, error) {
	idx.mu.Lock()
	p := idx.parsed[pkgPath]
	if p == nil {
		p = &parseOnce{}
		idx.parsed[pkgPath] = p
	}
	reg, isReg := idx.registered[pkgPath]
	idx.mu.Unlock()

	p.once.Do(func() {
		if isReg {
			p.pkg, p.err = parseRegistered(pkgPath, reg)
		} else {
			p.pkg, p.err = idx.parseStd(pkgPath)
		}
	})
	return p.pkg, p.err
}

var errNoSources = errors.New("no Go sources")

func parseRegistered(pkgPath string, reg registeredPackage) (*sourcePackage, error) {
	if reg.src == nil {
		return nil, fmt.Errorf("package %s: %w", pkgPath, errNoSources)
	}
	files, err := readPackageFiles(reg.src)
	if err != nil {
		return nil, fmt.Errorf("package %s: %w", pkgPath, err)
	}
	return parsePackage(pkgPath, false, files)
}

// parseStd parses a standard library package from GOROOT, or, for the
// generic packages, from the copy yaegi carries.
func (idx *index) parseStd(pkgPath string) (*sourcePackage, error) {
	if !fs.ValidPath(pkgPath) || pkgPath == "." {
		return nil, fmt.Errorf("invalid import path %q", pkgPath)
	}
	if goroot := idx.goroot(); goroot != "" {
		dir := filepath.Join(goroot, "src", filepath.FromSlash(pkgPath))
		files, err := readPackageFiles(os.DirFS(dir))
		if err == nil {
			return parsePackage(pkgPath, true, files)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("package %s in %s: %w", pkgPath, dir, err)
		}
	}
	if files := std().generic[pkgPath]; files != nil {
		return parsePackage(pkgPath, true, files)
	}
	return nil, fmt.Errorf("package %s: %w", pkgPath, errNoSources)
}

// symbols returns the interpreter's symbol table for pkgPath, nil if none.
func (idx *index) symbols(pkgPath string) map[string]reflect.Value {
	idx.mu.Lock()
	reg, ok := idx.registered[pkgPath]
	idx.mu.Unlock()
	if ok {
		return reg.symbols
	}
	return std().symbols[pkgPath]
}

func (idx *index) isRegistered(pkgPath string) bool {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	_, ok := idx.registered[pkgPath]
	return ok
}
