package eval

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"gomp/display"
	"gomp/mp"
)

// The type checker's importer. Cells are checked as Go checks a package, so
// every import needs the package's types:
//
//   - the standard library comes from the compiler's export data, which the
//     Go toolchain that built gomp keeps in its build cache: one `go list
//     -export` per batch of new paths finds the files (about 50 ms for a
//     cell's imports; reading a package's data then takes well under a
//     millisecond). Export data is what `go build` itself reads, so the types
//     are exactly the installed Go's, generics and all. When the toolchain
//     is missing, GOROOT's sources are type-checked instead (slower, same
//     answers).
//   - mp and display, which have no GOROOT entry, are checked from their own
//     source files, embedded in the binary for package help; their function
//     bodies are skipped, since only their API matters.
//
// Packages are immutable once imported, so one importer serves every
// session of the process.
type stdImporter struct {
	mu       sync.Mutex
	fset     *token.FileSet
	pkgs     map[string]*types.Package
	failed   map[string]error
	exports  map[string]string // import path → export data file
	gc       types.Importer
	source   types.ImporterFrom
	goTool   string // the go command, "" when there is none
	noExport bool   // the go command could not list export data once: use sources
}

var sharedImporter = newStdImporter()

func newStdImporter() *stdImporter {
	imp := &stdImporter{
		fset:    token.NewFileSet(),
		pkgs:    map[string]*types.Package{"unsafe": types.Unsafe},
		failed:  map[string]error{},
		exports: map[string]string{},
		goTool:  findGoTool(),
	}
	imp.gc = importer.ForCompiler(imp.fset, "gc", imp.lookup)
	imp.source = importer.ForCompiler(imp.fset, "source", nil).(types.ImporterFrom)
	return imp
}

// findGoTool finds the go command of the toolchain gomp was built with, or
// any go on PATH.
func findGoTool() string {
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return ""
}

// gompPackages are the packages of gomp's own that cells import by a short
// path, with their sources.
var gompPackages = map[string]fs.FS{"mp": mp.Source, "display": display.Source}

func (imp *stdImporter) Import(path string) (*types.Package, error) {
	return imp.ImportFrom(path, "", 0)
}

// ImportFrom returns the package at path (types.ImporterFrom), for a
// cell's import. gomp's own packages go by their short paths there: under
// "gomp/..." the importer holds only what checking mp's sources needs (an
// empty package, or one the interpreter does not know by that path), so
// `import "gomp/display"` would check and then leave display.HTML undefined.
func (imp *stdImporter) ImportFrom(path, _ string, _ types.ImportMode) (*types.Package, error) {
	if rest, ok := strings.CutPrefix(path, "gomp/"); ok {
		if _, own := gompPackages[rest]; own {
			return nil, fmt.Errorf("package %s is not in std: cells import gomp's %s package as %q", path, rest, rest)
		}
		return nil, fmt.Errorf("package %s is not in std (gomp cells can import the standard library, mp and display)", path)
	}
	imp.mu.Lock()
	defer imp.mu.Unlock()
	return imp.importLocked(path)
}

func (imp *stdImporter) importLocked(path string) (*types.Package, error) {
	if p, ok := imp.pkgs[path]; ok {
		return p, nil
	}
	if err, ok := imp.failed[path]; ok {
		return nil, err
	}
	var p *types.Package
	var err error
	switch src, own := gompPackages[path]; {
	case own:
		p, err = imp.checkOwn(path, src)
	case strings.HasPrefix(path, "gomp/"):
		// mp's internal packages: their types never reach a cell, so an
		// empty package lets mp's declarations check.
		p = types.NewPackage(path, filepath.Base(path))
		p.MarkComplete()
	default:
		p, err = imp.importStd(path)
	}
	if err != nil {
		imp.failed[path] = err
		return nil, err
	}
	imp.pkgs[path] = p
	return p, nil
}

// importStd imports a standard library package from export data, or from
// GOROOT's sources when there is no export data to be had.
func (imp *stdImporter) importStd(path string) (*types.Package, error) {
	if !isStdPath(path) {
		return nil, fmt.Errorf("package %s is not in std (gomp cells can import the standard library, mp and display)", path)
	}
	if imp.goTool != "" && !imp.noExport {
		if _, ok := imp.exports[path]; !ok {
			imp.listExportsLocked([]string{path})
		}
		if _, ok := imp.exports[path]; ok {
			return imp.gc.Import(path)
		}
	}
	p, err := imp.source.ImportFrom(path, "", 0)
	if err != nil {
		return nil, fmt.Errorf("package %s is not in std", path)
	}
	return p, nil
}

// isStdPath tells a standard library path by its first element, which has
// no dot there, as `go` tells it.
func isStdPath(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return path != "" && !strings.Contains(first, ".") && !strings.HasPrefix(path, "gomp/")
}

// prefetch finds, in one `go list`, the export data of the paths not yet
// known, so a cell with several new imports costs one command.
func (imp *stdImporter) prefetch(paths []string) {
	imp.mu.Lock()
	defer imp.mu.Unlock()
	var want []string
	for _, p := range paths {
		_, done := imp.pkgs[p]
		_, listed := imp.exports[p]
		_, failed := imp.failed[p]
		if !done && !listed && !failed && isStdPath(p) && p != "C" {
			want = append(want, p)
		}
	}
	if len(want) > 0 && imp.goTool != "" && !imp.noExport {
		imp.listExportsLocked(want)
	}
}

// listExportsLocked runs `go list -export` for paths and records where their
// export data is. Paths that are not packages are simply not recorded.
func (imp *stdImporter) listExportsLocked(paths []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"list", "-e", "-export", "-f", "{{if not .Error}}{{.ImportPath}}\t{{.Export}}{{end}}"}, paths...)
	cmd := exec.CommandContext(ctx, imp.goTool, args...)
	// In GOROOT/src, `go list` of std needs no module and downloads nothing.
	cmd.Dir = filepath.Join(runtime.GOROOT(), "src")
	if _, err := os.Stat(cmd.Dir); err != nil {
		cmd.Dir = os.TempDir()
	}
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		imp.noExport = true // fall back to sources from now on
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		path, file, ok := strings.Cut(sc.Text(), "\t")
		if ok && file != "" {
			imp.exports[path] = file
		}
	}
}

// lookup opens a package's export data for the gc importer.
func (imp *stdImporter) lookup(path string) (io.ReadCloser, error) {
	file, ok := imp.exports[path]
	if !ok {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	return os.Open(file)
}

// checkOwn type-checks one of gomp's packages from its embedded source. Its
// bodies are skipped and its internal imports are empty, so errors about
// them are expected and ignored: only the exported API has to be right,
// and symbols_test-style drift is caught by TestCheckerKnowsGompPackages.
func (imp *stdImporter) checkOwn(path string, src fs.FS) (*types.Package, error) {
	names, err := fs.Glob(src, "*.go")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var files []*ast.File
	var importPaths []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(imp.fset, path+"/"+name, data, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("reading package %s: %w", path, err)
		}
		files = append(files, f)
		for _, is := range f.Imports {
			importPaths = append(importPaths, strings.Trim(is.Path.Value, `"`))
		}
	}
	// The lock is held by the caller: list the std imports directly.
	var want []string
	for _, p := range importPaths {
		if _, ok := imp.exports[p]; !ok && isStdPath(p) {
			want = append(want, p)
		}
	}
	if len(want) > 0 && imp.goTool != "" && !imp.noExport {
		imp.listExportsLocked(want)
	}
	conf := types.Config{
		Importer:         lockedImporter{imp},
		IgnoreFuncBodies: true,
		Error:            func(error) {},
		FakeImportC:      true,
	}
	p, _ := conf.Check(path, imp.fset, files, nil)
	if p == nil {
		return nil, errors.New("checking package " + path)
	}
	return p, nil
}

// lockedImporter imports for a check that runs while the importer's lock is
// held (checkOwn's dependencies).
type lockedImporter struct{ imp *stdImporter }

func (l lockedImporter) Import(path string) (*types.Package, error) {
	return l.imp.importLocked(path)
}
