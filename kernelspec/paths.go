package kernelspec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// UserDataDir is Jupyter's per-user data directory, by jupyter_core's rules:
// $JUPYTER_DATA_DIR if set; otherwise ~/Library/Jupyter on macOS,
// %APPDATA%\jupyter on Windows, and $XDG_DATA_HOME/jupyter (default
// ~/.local/share/jupyter) elsewhere.
func UserDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	switch runtime.GOOS {
	case "darwin":
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if d := os.Getenv("APPDATA"); d != "" {
			return filepath.Join(d, "jupyter"), nil
		}
		if err != nil {
			return "", err
		}
		return filepath.Join(home, ".jupyter", "data"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "jupyter"), nil
	}
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// SysPrefix is sys.prefix of the Python that runs the `jupyter` command on
// PATH: the environment a JupyterHub or a virtualenv serves kernels from.
// It reads the interpreter from jupyter's #! line and asks it, because the
// first `python3` on PATH need not be the one Jupyter is installed in.
func SysPrefix() (string, error) {
	jupyter, err := exec.LookPath("jupyter")
	if err != nil {
		return "", errors.New("kernelspec: --sys-prefix needs the `jupyter` command on PATH to find its Python; install Jupyter (Debian: apt-get install jupyter-client) or use --prefix DIR")
	}
	python, err := interpreter(jupyter)
	if err != nil {
		return "", err
	}
	out, err := exec.Command(python, "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", fmt.Errorf("kernelspec: asking %s for sys.prefix: %w", python, err)
	}
	prefix := strings.TrimSpace(string(out))
	if prefix == "" {
		return "", fmt.Errorf("kernelspec: %s printed no sys.prefix", python)
	}
	return prefix, nil
}

// interpreter returns the program named by script's #! line, following
// `#!/usr/bin/env [-S] prog` through PATH as env would.
func interpreter(script string) (string, error) {
	f, err := os.Open(script)
	if err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadSlice('\n')
	if err != nil && len(line) == 0 {
		return "", fmt.Errorf("kernelspec: reading %s: %w", script, err)
	}
	if !bytes.HasPrefix(line, []byte("#!")) {
		return "", fmt.Errorf("kernelspec: %s is not a Python script (no #! line), cannot find its sys.prefix; use --prefix DIR", script)
	}
	fields := strings.Fields(string(line[2:]))
	if len(fields) == 0 {
		return "", fmt.Errorf("kernelspec: %s has an empty #! line", script)
	}
	if filepath.Base(fields[0]) == "env" {
		fields = fields[1:]
		for len(fields) > 0 && strings.HasPrefix(fields[0], "-") {
			fields = fields[1:]
		}
		if len(fields) == 0 {
			return "", fmt.Errorf("kernelspec: %s: #!env names no program", script)
		}
		p, err := exec.LookPath(fields[0])
		if err != nil {
			return "", fmt.Errorf("kernelspec: %s runs %s, which is not on PATH", script, fields[0])
		}
		return p, nil
	}
	return fields[0], nil
}
