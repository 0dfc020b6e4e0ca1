package eval

import (
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"
)

// memFS is the interpreter's source file system. It exists for one reason:
// yaegi names a compiled unit after the file it last read with EvalPath, and
// scopes imports by that name. Reading a tiny file "gompN.go" that holds the
// session's imports, right before compiling unit N, gives every unit its own
// name in errors and tracebacks and the session's imports, without the
// "redeclared" error yaegi gives a package imported twice under one name.
type memFS struct {
	mu    sync.Mutex
	files map[string]string
}

func newMemFS() *memFS { return &memFS{files: map[string]string{}} }

func (m *memFS) put(name, content string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[name] = content
}

func (m *memFS) remove(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.files, name)
}

func (m *memFS) Open(name string) (fs.File, error) {
	m.mu.Lock()
	content, ok := m.files[name]
	m.mu.Unlock()
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, Reader: strings.NewReader(content), size: int64(len(content))}, nil
}

type memFile struct {
	*strings.Reader
	name string
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Name() string               { return f.name }
func (f *memFile) Size() int64                { return f.size }
func (f *memFile) Mode() fs.FileMode          { return 0o444 }
func (f *memFile) ModTime() time.Time         { return time.Time{} }
func (f *memFile) IsDir() bool                { return false }
func (f *memFile) Sys() any                   { return nil }

var _ io.Reader = (*memFile)(nil)
