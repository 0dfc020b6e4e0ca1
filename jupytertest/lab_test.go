package jupytertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// labNotebook is the lesson the lab test runs (relative to the
// repository's root); GOMP_LAB_NOTEBOOK names another.
const (
	labNotebookEnv     = "GOMP_LAB_NOTEBOOK"
	defaultLabNotebook = "notebooks/01-procesos.ipynb"
)

// needLab skips t without what the lab test needs, naming it; with CI=true
// it fails instead, because .ci/run installs all of it.
func needLab(t *testing.T) {
	t.Helper()
	needJupyter(t)
	var missing []string
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node (apt-get install nodejs npm)")
	}
	if _, err := os.Stat(filepath.Join("lab", "node_modules", "@jupyterlab", "services")); err != nil {
		missing = append(missing, "@jupyterlab/services (npm ci in jupytertest/lab)")
	}
	if err := exec.Command(python, "-c", "import jupyter_server.serverapp").Run(); err != nil {
		missing = append(missing, "Jupyter Server (apt-get install jupyter-server)")
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("the lab test needs %v", missing)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (with CI=true this fails instead)")
}

// TestLab drives gomp with JupyterLab's own kernel client library
// (@jupyterlab/services, lab/run.mjs) through Debian's jupyter-server, as
// JupyterLab 4 does from the browser: kernelspecs and logos, session and
// kernel models, kernel_info's language_info, lesson 01's cells with their
// children's output under each cell, display_data, a failing cell's error,
// stdin, completion, interrupting `for {}`, restart and shutdown (nothing
// left running). lab/run.mjs lists what it checks.
func TestLab(t *testing.T) {
	needLab(t)
	start := time.Now()
	src := os.Getenv(labNotebookEnv)
	if src == "" {
		src = defaultLabNotebook
	}
	src = fromRoot(t, src)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	// The session's path is lab/NAME under the server's root: a copy, so
	// that nothing the server does touches the repository.
	if err := os.MkdirAll(filepath.Join(root, "lab"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "lab", filepath.Base(src)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	reference := withOutputs(t, src, data, filepath.Join(dir, "reference"))

	base, stopServer := startServer(t, root, "jupyter-server", func(port int, token string) []string {
		return []string{"-m", "jupyter_server",
			"--no-browser", "--ip=127.0.0.1", "--port=" + strconv.Itoa(port), "--port-retries=0",
			"--ServerApp.token=" + token, "--ServerApp.password=",
			"--ServerApp.root_dir=" + root}
	})
	defer stopServer()
	token := base.Query().Get("token")
	baseURL := *base
	baseURL.RawQuery = ""

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "run.mjs",
		"--url", baseURL.String(), "--token", token,
		"--notebook", filepath.Join(root, "lab", filepath.Base(src)),
		"--reference", reference)
	cmd.Dir = "lab"
	cmd.Env = cleanEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	defer func() {
		if t.Failed() {
			t.Logf("run.mjs stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
	}()

	// The library logs its websocket's comings and goings on stdout; the
	// result is the last line.
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var res struct {
		Problems          []string
		LessonCells       int
		InterruptMs       float64
		ShutdownMs        float64
		ShutdownProcesses int
		Logos             []string
		LanguageInfo      map[string]string
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("run.mjs: %v; no result (%v)", runErr, err)
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
	if runErr != nil && len(res.Problems) == 0 {
		t.Errorf("run.mjs: %v", runErr)
	}
	if res.LessonCells == 0 || len(res.Logos) != 2 || res.ShutdownProcesses < 2 {
		t.Errorf("run.mjs ran %d lesson cells, read logos %v, saw %d processes before shutdown; want the lesson's cells, two logos and the kernel with a child",
			res.LessonCells, res.Logos, res.ShutdownProcesses)
	}
	stopServer()
	t.Logf("%s: %d lesson cells through @jupyterlab/services; interrupt of for {} answered in %.1f ms; shutdown of the kernel and %d processes under it took %.0f ms; whole test %v",
		filepath.Base(src), res.LessonCells, res.InterruptMs, res.ShutdownProcesses-1, res.ShutdownMs, time.Since(start).Round(100*time.Millisecond))
}
