// Package native builds Go source into plugins the running binary can load,
// caches them by content hash and opens them. It is the mechanism under the
// kernel's compiled tier (see DESIGN.md here); it knows nothing of the
// interpreter or of which functions are worth compiling.
package native

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// Toolchain is the go command and the settings a plugin must be built with
// to load into this binary: the runtime refuses a plugin whose shared
// packages (runtime, sync/atomic, math...) were compiled differently, so
// the Go version, the race detector, build tags, trimpath and the
// compiler's flags must be the running binary's own.
type Toolchain struct {
	goBin string
	flags []string // go build flags
	env   []string // environment of the go command
	// fingerprint identifies the settings, for cache keys.
	fingerprint string
}

// ErrUnavailable is the reason there is no toolchain (Detect's errors wrap it).
var ErrUnavailable = errors.New("no usable Go toolchain for the compiled tier")

// Detect finds the go command of this binary's Go version and reads the
// binary's build settings. It fails when the binary was not built with cgo
// (plugins need it), when no go command is found, or when the go command
// found is another version.
func Detect(ctx context.Context) (*Toolchain, error) {
	tc, err := readSettings()
	if err != nil {
		return nil, err
	}
	goBin, err := findGo()
	if err != nil {
		return nil, err
	}
	tc.goBin = goBin
	out, err := tc.command(ctx, "", "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s env GOVERSION: %v", ErrUnavailable, goBin, err)
	}
	if v := strings.TrimSpace(string(out)); v != runtime.Version() {
		return nil, fmt.Errorf("%w: %s is %s, this binary %s", ErrUnavailable, goBin, v, runtime.Version())
	}
	return tc, nil
}

// readSettings reads, in the process, the build settings a plugin must
// share with this binary, and their fingerprint (which cache keys use, so a
// key can be known before the go command was looked for).
func readSettings() (*Toolchain, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, fmt.Errorf("%w: the binary has no build information", ErrUnavailable)
	}
	tc := &Toolchain{}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "1" {
		return nil, fmt.Errorf("%w: the binary was built without cgo, which loading plugins needs", ErrUnavailable)
	}
	if c := settings["-compiler"]; c != "" && c != "gc" {
		return nil, fmt.Errorf("%w: the binary was built by %s, not gc", ErrUnavailable, c)
	}
	for _, k := range []string{"-race", "-msan", "-asan", "-trimpath"} {
		if settings[k] == "true" {
			tc.flags = append(tc.flags, k)
		}
	}
	for _, k := range []string{"-tags", "-gcflags", "-asmflags"} {
		if v := settings[k]; v != "" {
			tc.flags = append(tc.flags, k+"="+v)
		}
	}
	// The binary's own Go version: the local go when it is that version,
	// else the toolchain the go command fetched to build gomp (an older go
	// switches to the version go.mod asks for).
	toolchain := runtime.Version()
	if !strings.HasPrefix(toolchain, "go1") {
		toolchain = "local" // a development build
	}
	tc.env = append(os.Environ(),
		"CGO_ENABLED=1", "GOFLAGS=", "GOWORK=off", "GO111MODULE=on", "GOTOOLCHAIN="+toolchain,
		"GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	for k, v := range settings {
		// GOAMD64, GOARM64..., GOEXPERIMENT and the cgo flags shape the code
		// of every package.
		if strings.HasPrefix(k, "GO") && k != "GOOS" && k != "GOARCH" || strings.HasPrefix(k, "CGO_") && k != "CGO_ENABLED" {
			tc.env = append(tc.env, k+"="+v)
		}
	}
	keys := append([]string{runtime.Version(), runtime.GOOS, runtime.GOARCH}, tc.flags...)
	keys = append(keys, sortedSettings(settings)...)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\x00")))
	tc.fingerprint = hex.EncodeToString(sum[:8])
	return tc, nil
}

// sortedSettings lists the settings that shape generated code, as k=v, sorted.
func sortedSettings(settings map[string]string) []string {
	var out []string
	for k, v := range settings {
		if strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") {
			out = append(out, k+"="+v)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// findGo looks for the go command on PATH, then in the GOROOT this binary
// was built from (a kernel started by Jupyter may have a shorter PATH).
func findGo() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	for _, root := range []string{os.Getenv("GOROOT"), runtime.GOROOT(), "/usr/local/go"} {
		if root == "" {
			continue
		}
		p := filepath.Join(root, "bin", "go")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: no go command on PATH", ErrUnavailable)
}

func (tc *Toolchain) command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, tc.goBin, args...)
	cmd.Dir = dir
	cmd.Env = tc.env
	return cmd
}
