// Package kernelspec registers gomp with Jupyter.
//
// A kernelspec is a directory named after the kernel that holds kernel.json
// (how to start the kernel) and its logos; Jupyter finds it under
// kernels/NAME in one of its data directories (`jupyter --paths`). Install
// writes that directory itself instead of shelling out to `jupyter kernelspec
// install`, so `gomp install` works without Python on PATH (except for
// SysPrefix, which has to ask Jupyter's Python where it lives) and does
// exactly the same thing on every machine.
package kernelspec

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gomp/logo"
)

// Defaults written into kernel.json.
const (
	DefaultName          = "gomp"
	DefaultDisplayName   = "Go (mp)"
	Language             = "go"
	DefaultInterruptMode = "signal"
)

// Options says where to register the kernel and how it is started.
// The zero value installs for the current user, under the name "gomp", a
// kernel started by the running binary.
type Options struct {
	// Where: at most one of User, SysPrefix and Prefix may be set; none
	// means User.
	User      bool   // the user's Jupyter data dir (JUPYTER_DATA_DIR respected)
	SysPrefix bool   // sys.prefix/share/jupyter of the Python that runs `jupyter`
	Prefix    string // PREFIX/share/jupyter, e.g. /usr/local or a JupyterHub env

	// Name is the kernelspec's name (the directory, and what
	// `--kernel NAME` selects). Default DefaultName.
	Name string
	// DisplayName is what menus show. Default DefaultDisplayName.
	DisplayName string
	// Executable is the gomp binary kernel.json starts; it is made absolute.
	// Default: the running binary (os.Executable).
	Executable string
	// InterruptMode is "signal" (SIGINT to the kernel's process group) or
	// "message" (interrupt_request on the control socket). Default
	// DefaultInterruptMode.
	InterruptMode string
	// Env is added to the kernel's environment by Jupyter (kernel.json "env").
	Env map[string]string
}

// Spec is the content of kernel.json, in the field order Jupyter's own
// kernelspecs use.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata"`
}

// validName is jupyter_client's rule for kernel names, restricted to lower
// case because Jupyter lower-cases names when it looks them up.
var validName = regexp.MustCompile(`^[a-z0-9._-]+$`)

// New returns the kernel.json for opts without touching the file system
// (except to resolve the default Executable).
func New(opts Options) (Spec, error) {
	if err := opts.check(); err != nil {
		return Spec{}, err
	}
	exe, err := executable(opts.Executable)
	if err != nil {
		return Spec{}, err
	}
	return Spec{
		Argv:          []string{exe, "kernel", "{connection_file}"},
		DisplayName:   or(opts.DisplayName, DefaultDisplayName),
		Language:      Language,
		InterruptMode: or(opts.InterruptMode, DefaultInterruptMode),
		Env:           opts.Env,
		// JupyterLab offers its debugger only to kernels that say they
		// have one; gomp does not implement the debug protocol.
		Metadata: map[string]any{"debugger": false},
	}, nil
}

// JSON is kernel.json as Install writes it: indented, with a final newline.
func (s Spec) JSON() []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // only strings, slices and maps of them: cannot fail
	}
	return append(b, '\n')
}

// Dir returns the kernelspec directory Install would write for opts.
func Dir(opts Options) (string, error) {
	if err := opts.check(); err != nil {
		return "", err
	}
	var data string
	switch {
	case opts.Prefix != "":
		p, err := filepath.Abs(opts.Prefix)
		if err != nil {
			return "", err
		}
		data = filepath.Join(p, "share", "jupyter")
	case opts.SysPrefix:
		p, err := SysPrefix()
		if err != nil {
			return "", err
		}
		data = filepath.Join(p, "share", "jupyter")
	default:
		d, err := UserDataDir()
		if err != nil {
			return "", err
		}
		data = d
	}
	return filepath.Join(data, "kernels", or(opts.Name, DefaultName)), nil
}

// Install writes the kernelspec (kernel.json, logo-32x32.png, logo-64x64.png)
// and returns its directory. Running it again overwrites the same files, so
// it is idempotent; each file is replaced atomically, so a Jupyter reading the
// directory meanwhile sees the old or the new file, never half of one.
// Other files in the directory are left alone.
func Install(opts Options) (dir string, err error) {
	spec, err := New(opts)
	if err != nil {
		return "", err
	}
	dir, err = Dir(opts)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{
		{"kernel.json", spec.JSON()},
		{"logo-32x32.png", logo.PNG32},
		{"logo-64x64.png", logo.PNG64},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.data); err != nil {
			return "", fmt.Errorf("kernelspec: %w", err)
		}
	}
	return dir, nil
}

func (o Options) check() error {
	n := 0
	for _, set := range []bool{o.User, o.SysPrefix, o.Prefix != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New("kernelspec: choose one of --user, --sys-prefix and --prefix")
	}
	if o.Name != "" && !validName.MatchString(o.Name) {
		return fmt.Errorf("kernelspec: invalid kernel name %q: use lower-case letters, digits, '.', '_' and '-'", o.Name)
	}
	switch o.InterruptMode {
	case "", "signal", "message":
	default:
		return fmt.Errorf("kernelspec: interrupt mode %q: must be \"signal\" or \"message\"", o.InterruptMode)
	}
	return nil
}

// executable returns path made absolute, or the running binary. A binary that
// `go run` built in a temporary directory is refused: it is deleted when go
// run exits, and a kernel.json pointing at it would never start.
func executable(path string) (string, error) {
	if path == "" {
		p, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("kernelspec: cannot find the gomp binary: %w", err)
		}
		if strings.Contains(p, string(filepath.Separator)+"go-build") {
			return "", fmt.Errorf("kernelspec: %s is a temporary binary of `go run`; build gomp first (./install.sh does)", p)
		}
		path = p
	}
	return filepath.Abs(path)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeFile replaces name with data atomically, mode 0644 (a system-wide
// kernelspec must be readable by every user).
func writeFile(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
