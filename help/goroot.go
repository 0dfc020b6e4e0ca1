package help

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// goEnvTimeout bounds `go env GOROOT`, the last resort for finding the Go
// tree: a help request must not hang on a slow or broken toolchain.
const goEnvTimeout = 5 * time.Second

// findGOROOT returns the first Go tree with standard library sources among,
// in order: runtime.GOROOT() (the GOROOT variable at process start, else the
// tree the kernel was built with), $GOROOT, and `go env GOROOT`. It returns
// "" when none has them. The binary may run on another machine than the one
// it was built on, hence the checks.
func findGOROOT() string {
	// runtime.GOROOT is deprecated because the build tree may not exist
	// where the binary runs; here it is only a first guess, and checked.
	if dir := runtime.GOROOT(); hasStdSources(dir) {
		return dir
	}
	if dir := os.Getenv("GOROOT"); hasStdSources(dir) {
		return dir
	}
	if dir := goEnvGOROOT(); hasStdSources(dir) {
		return dir
	}
	return ""
}

func goEnvGOROOT() string {
	ctx, cancel := context.WithTimeout(context.Background(), goEnvTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// hasStdSources tells whether dir is a Go tree with sources, by the
// presence of one package every tree has.
func hasStdSources(dir string) bool {
	if dir == "" {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, "src", "fmt", "print.go"))
	return err == nil && !fi.IsDir()
}
