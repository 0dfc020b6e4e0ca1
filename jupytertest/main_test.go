package jupytertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gomp/kernelspec"
)

// python is Debian's interpreter, the one Debian's Jupyter packages install
// into.
const python = "/usr/bin/python3"

// The Python modules the tests need, and the Debian packages that have them.
var pythonModules = map[string]string{
	"jupyter_client":      "jupyter-client",
	"ipykernel":           "python3-ipykernel", // the Colab-style setup notebook's Python runtime
	"jupyter_kernel_test": "python3-jupyter-kernel-test",
	"nbconvert":           "jupyter-nbconvert",
	"nbclient":            "python3-nbclient",
	"nbformat":            "python3-nbformat",
	"jupyter_console":     "jupyter-console",
	"pexpect":             "python3-pexpect",
	"zmq":                 "python3-zmq",
}

var (
	skipReason string   // why the tests skip; empty when Jupyter is there
	tmpDir     string   // everything the tests write goes under here
	gompBin    string   // the gomp binary under test
	jupyterEnv []string // environment of every Jupyter process the tests start
	raceDir    string   // where race-enabled kernels write their reports
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	if err := checkJupyter(); err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "jupytertest: CI=true and %v\n", err)
			return 1
		}
		skipReason = err.Error() + " (with CI=true this fails instead)"
		return m.Run()
	}
	var err error
	tmpDir, err = os.MkdirTemp("", "gomp-jupytertest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "jupytertest:", err)
		return 1
	}
	defer os.RemoveAll(tmpDir)
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "jupytertest:", err)
		return 1
	}
	code := m.Run()
	if pids := leftoverKernels(); len(pids) > 0 {
		fmt.Fprintf(os.Stderr, "jupytertest: kernel processes still running after the tests: %v\n", pids)
		killAll(pids)
		code = 1
	}
	if report := raceReports(); report != "" {
		fmt.Fprintf(os.Stderr, "jupytertest: the race detector reported from a gomp kernel:\n%s\n", report)
		code = 1
	}
	return code
}

// checkJupyter reports what is missing for these tests, naming the Debian
// packages to install.
func checkJupyter() error {
	if _, err := os.Stat(python); err != nil {
		return fmt.Errorf("%s is missing: apt-get install python3 and the Jupyter packages", python)
	}
	var script strings.Builder
	script.WriteString("import importlib.util\n")
	for mod := range pythonModules {
		fmt.Fprintf(&script, "if importlib.util.find_spec(%q) is None: print(%q)\n", mod, mod)
	}
	out, err := exec.Command(python, "-c", script.String()).Output()
	if err != nil {
		return fmt.Errorf("%s cannot run: %v", python, err)
	}
	missing := strings.Fields(string(out))
	if len(missing) == 0 {
		return nil
	}
	var pkgs []string
	for _, mod := range missing {
		pkgs = append(pkgs, pythonModules[mod])
	}
	return fmt.Errorf("Jupyter test dependencies are missing (Python modules %s): apt-get install %s",
		strings.Join(missing, ", "), strings.Join(pkgs, " "))
}

// setup builds gomp, registers it in a temporary Jupyter data directory as
// "gomp" (through the CLI, as install.sh does) and as "gomp-message" (the
// same kernel with interrupt_mode "message"), and prepares the environment
// that points Jupyter at them.
func setup() error {
	gompBin = filepath.Join(tmpDir, "bin", "gomp")
	args := []string{"build", "-o", gompBin}
	if os.Getenv("GOMP_TEST_RACE") == "1" {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Dir = ".." // the module root: package main
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build gomp: %v\n%s", err, out)
	}
	prefix := filepath.Join(tmpDir, "prefix")
	if out, err := exec.Command(gompBin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		return fmt.Errorf("gomp install --prefix: %v\n%s", err, out)
	}
	if _, err := kernelspec.Install(kernelspec.Options{
		Prefix:        prefix,
		Name:          "gomp-message",
		DisplayName:   "Go (mp), message interrupts",
		Executable:    gompBin,
		InterruptMode: "message",
	}); err != nil {
		return err
	}
	raceDir = filepath.Join(tmpDir, "race")
	if err := os.MkdirAll(raceDir, 0o755); err != nil {
		return err
	}
	jupyterEnv = append(cleanEnv(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_DATA_DIR="+filepath.Join(tmpDir, "data"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(tmpDir, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(tmpDir, "runtime"),
		"IPYTHONDIR="+filepath.Join(tmpDir, "ipython"),
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONUNBUFFERED=1",
		"GORACE=log_path="+filepath.Join(raceDir, "report"),
		"TERM=dumb",
	)
	return nil
}

// cleanEnv is the test's environment without the variables that would point
// Jupyter or Python elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "JUPYTER") || strings.HasPrefix(name, "PYTHON") ||
			name == "IPYTHONDIR" || name == "GORACE" || name == "TERM" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// needJupyter skips t when the Jupyter packages are missing (outside CI).
func needJupyter(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

// runPython runs one of the Python scripts beside this file and returns its
// stdout. The script runs in its own process group, killed as a whole when
// it overruns timeout; afterwards any kernel it left running is a test
// failure (and is killed).
func runPython(t *testing.T, timeout time.Duration, env []string, script string, args ...string) (stdout string, err error) {
	t.Helper()
	stdout, _, err = runCmd(t, timeout, env, python, append([]string{script}, args...)...)
	return stdout, err
}

// runCmd runs name with args as runPython does. stderr is also logged with
// t.Log when the test fails.
func runCmd(t *testing.T, timeout time.Duration, env []string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(append([]string{}, jupyterEnv...), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	start := time.Now()
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s %s: killed after %v: %w", filepath.Base(name), strings.Join(args, " "), timeout, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s %s (%v) stderr:\n%s", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond), errb.String())
		}
	})
	// The process group is gone; kernels live in sessions of their own
	// (jupyter_client starts them so), so look for them by binary.
	if pids := leftoverKernels(); len(pids) > 0 {
		// Give a kernel that is exiting on its own a moment.
		time.Sleep(500 * time.Millisecond)
		if pids = leftoverKernels(); len(pids) > 0 {
			t.Errorf("kernel processes left running after %s: %s", filepath.Base(args[0]), describe(pids))
			killAll(pids)
		}
	}
	if report := raceReports(); report != "" {
		t.Errorf("race detector report from a gomp kernel:\n%s", report)
	}
	return out.String(), errb.String(), err
}

// leftoverKernels lists the live processes running the gomp binary under
// test: kernels and any child processes they started. Processes of any other
// gomp (the user's own notebooks) are not ours and never listed.
func leftoverKernels() []int {
	if gompBin == "" {
		return nil
	}
	return processesOf(gompBin)
}

// processesOf lists the running processes whose executable is bin.
func processesOf(bin string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil {
			continue // gone, a zombie, or not ours to read
		}
		if exe == bin {
			pids = append(pids, pid)
		}
	}
	return pids
}

func describe(pids []int) string {
	var b strings.Builder
	for _, pid := range pids {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		fmt.Fprintf(&b, "\n  pid %d: %s", pid, bytes.ReplaceAll(bytes.TrimRight(cmdline, "\x00"), []byte{0}, []byte{' '}))
	}
	return b.String()
}

func killAll(pids []int) {
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// raceReports returns and removes the race detector's reports, if any.
func raceReports() string {
	if raceDir == "" {
		return ""
	}
	files, _ := filepath.Glob(filepath.Join(raceDir, "report.*"))
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			b.Write(data)
		}
		os.Remove(f)
	}
	return b.String()
}

// fatalOnErr fails t with err and the script's output.
func fatalOnErr(t *testing.T, err error, stdout string) {
	t.Helper()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("%v\nstdout:\n%s", err, stdout)
		}
		t.Fatal(err)
	}
}
