package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gomp/mp"
)

// runMainEnv makes the test binary run gomp's main with its arguments: how
// the tests start a real `gomp manager` process.
const runMainEnv = "GOMP_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	if start := os.Getenv(memLimitEnv); start != "" {
		os.Exit(printMemoryLimit(start))
	}
	if start := os.Getenv(recursionEnv); start != "" {
		os.Exit(recurseInASession(start))
	}
	os.Exit(m.Run())
}

var servingAt = regexp.MustCompile(`serving at (\S+) `)

// TestManagerCommand starts `gomp manager` as a process of its own and uses
// its objects from this one, as a student's kernel would from the class's
// server; SIGTERM ends it cleanly. The key, taken from the environment, is
// not in the process's command line, which every user can read.
func TestManagerCommand(t *testing.T) {
	const key = "secreto-de-la-clase"
	cmd := exec.Command(os.Args[0], "manager", "-address", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), runMainEnv+"=1", authKeyEnv+"="+key)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reaped := false
	defer func() {
		if !reaped {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the manager's first line: %v", err)
	}
	match := servingAt.FindStringSubmatch(line)
	if match == nil {
		t.Fatalf("the manager said %q", line)
	}
	addr := match[1]
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(cmdline, []byte(key)) || !bytes.Contains(cmdline, []byte("manager")) {
		t.Fatalf("the manager's command line: %q", cmdline)
	}

	if _, err := mp.ConnectManager(addr, "wrong"); err == nil {
		t.Fatal("a wrong key was accepted")
	}
	c, err := mp.ConnectManager(addr, key)
	if err != nil {
		t.Fatal(err)
	}
	c.Dict("resultados").Set("alumno", 10)
	c.Queue("trabajos").Put("tarea 1")
	again, err := mp.ConnectManager(addr, key)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Dict("resultados").Get("alumno"); got != 10 {
		t.Errorf("resultados[alumno] = %v", got)
	}
	if got := again.Queue("trabajos").Get(); got != "tarea 1" {
		t.Errorf("trabajos gave %v", got)
	}
	c.Shutdown()
	again.Shutdown()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	reaped = true
	if err != nil {
		t.Errorf("gomp manager after SIGTERM: %v", err)
	}
}

func TestManagerCommandNeedsAKey(t *testing.T) {
	t.Setenv(authKeyEnv, "")
	if err := serveManager(t.Context(), []string{"-address", "127.0.0.1:0"}, os.Stdout); err == nil || !strings.Contains(err.Error(), "needs a key") {
		t.Errorf("a manager without a key: %v", err)
	}
	// A key in argv is refused, saying what to do instead.
	err := serveManager(t.Context(), []string{"-address", "127.0.0.1:0", "-authkey", "secreto"}, os.Stdout)
	if err == nil || !strings.Contains(err.Error(), "-authkey-file") {
		t.Errorf("a key on the command line: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if err := serveManager(t.Context(), []string{"-address", "127.0.0.1:0", "-authkey-file", empty}, os.Stdout); err == nil {
		t.Error("a manager with an empty key file started")
	}
}

// The key file's first line is the key.
func TestManagerCommandKeyFile(t *testing.T) {
	t.Setenv(authKeyEnv, "")
	file := filepath.Join(t.TempDir(), "clave")
	if err := os.WriteFile(file, []byte("de-archivo\nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- serveManager(ctx, []string{"-address", "127.0.0.1:0", "-authkey-file", file}, w)
		w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, out)
	addr := servingAt.FindStringSubmatch(line)[1]
	c, err := mp.ConnectManager(addr, "de-archivo")
	if err != nil {
		t.Fatal(err)
	}
	c.Shutdown()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A kernel told to stop whose cell never returns exits anyway, after the
// grace; one whose Serve returns in time does not.
func TestExitIfStuck(t *testing.T) {
	logger := log.New(io.Discard, "", 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	exited := make(chan int, 1)
	cleaned := false
	exitIfStuck(ctx, make(chan struct{}), logger, time.Millisecond, func() { cleaned = true }, func(code int) { exited <- code })
	if code := <-exited; code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !cleaned {
		t.Error("exited without the cleanup")
	}

	served := make(chan struct{})
	close(served)
	exitIfStuck(ctx, served, logger, time.Hour, func() { t.Error("cleaned up although Serve had returned") }, func(int) { t.Error("exited although Serve had returned") })
}

// `gomp install` writes the kernelspec a hub wants: the binary's absolute
// path, the process limit in the env block (mp's default, or the flag's),
// no debugger; and the same kernel.json as the template at the top of the
// repository, but for argv[0].
func TestInstallWritesTheHubKernelspec(t *testing.T) {
	// A copy of the test binary where `go test` does not keep it: install
	// refuses to point kernel.json at a temporary build.
	exe := filepath.Join(t.TempDir(), "gomp")
	bin, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{{nil, strconv.Itoa(mp.DefaultMaxProcesses)}, {[]string{"--max-processes", "8"}, "8"}} {
		prefix := t.TempDir()
		cmd := exec.Command(exe, append([]string{"install", "--prefix", prefix}, tc.args...)...)
		cmd.Env = append(os.Environ(), runMainEnv+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gomp install: %v\n%s", err, out)
		}
		data, err := os.ReadFile(filepath.Join(prefix, "share", "jupyter", "kernels", "gomp", "kernel.json"))
		if err != nil {
			t.Fatal(err)
		}
		var spec struct {
			Argv     []string          `json:"argv"`
			Env      map[string]string `json:"env"`
			Metadata map[string]any    `json:"metadata"`
		}
		if err := json.Unmarshal(data, &spec); err != nil {
			t.Fatal(err)
		}
		if len(spec.Argv) != 3 || spec.Argv[0] != exe {
			t.Errorf("argv %q: want the binary's absolute path (%s) first", spec.Argv, exe)
		}
		if spec.Env[mp.MaxProcessesEnv] != tc.want || len(spec.Env) != 1 {
			t.Errorf("gomp install %v: env %v, want %s=%s", tc.args, spec.Env, mp.MaxProcessesEnv, tc.want)
		}
		if spec.Metadata["debugger"] != false {
			t.Errorf("metadata %v, want debugger false", spec.Metadata)
		}
		if tc.args == nil {
			template, err := os.ReadFile("kernel.json")
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Replace(string(data), strconv.Quote(exe), `"gomp"`, 1)
			if got != string(template) {
				t.Errorf("kernel.json differs from the template:\n%s\nwant:\n%s", got, template)
			}
		}
	}
	cmd := exec.Command(exe, "install", "--prefix", t.TempDir(), "--max-processes", "0")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "at least 1") {
		t.Errorf("--max-processes 0: %v, %s", err, out)
	}
}
