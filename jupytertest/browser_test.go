package jupytertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The browser test's parameters, from the environment, relative paths
// taken from the repository's root. Without GOMP_BROWSER_NOTEBOOK it runs
// the lessons of browserLessons, each photographed at the cell it is
// pictured for; GOMP_BROWSER_SCREENSHOT_DIR saves those pictures there
// (notebooks/ is where the course's README shows them), else they go to
// temporary files removed with the test. GOMP_BROWSER_NOTEBOOK opens that
// one notebook instead, photographed from its top through its first
// timeline into GOMP_BROWSER_SCREENSHOT.
const (
	browserNotebookEnv      = "GOMP_BROWSER_NOTEBOOK"
	browserScreenshotEnv    = "GOMP_BROWSER_SCREENSHOT"
	browserScreenshotDirEnv = "GOMP_BROWSER_SCREENSHOT_DIR"
	chromium                = "/usr/bin/chromium"
)

// browserCase is a notebook the browser test runs, and what it checks and
// photographs there.
type browserCase struct {
	notebook   string   // from the repository's root
	screenshot string   // its picture's file name in GOMP_BROWSER_SCREENSHOT_DIR
	shoot      string   // the picture is of the first cell whose output has this; "": top through first timeline
	answers    []string // typed into the input boxes of cells that read os.Stdin
	minSVGs    int      // timelines it must draw
	minLines   int      // printed lines it must show, children's included
}

// browserLessons: lesson 04's first timeline (in Spanish) and lesson 01's
// zombie, the two pictures of notebooks/README.md.
var browserLessons = []browserCase{
	{notebook: "notebooks/04-computo-concurrente.ipynb", screenshot: "screenshot.png", minSVGs: 1, minLines: 80},
	{notebook: "notebooks/01-procesos.ipynb", screenshot: "zombie.png", shoot: "<defunct>",
		// The pause, then the lines the pipe's child echoes until "end".
		answers: []string{"", "hola", "desde el padre", "end"}, minLines: 40},
}

// needBrowser skips t without what the browser test needs, naming it;
// with CI=true it fails instead, because .ci/run installs all of it.
func needBrowser(t *testing.T) {
	t.Helper()
	needJupyter(t)
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (apt-get install chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node (apt-get install nodejs npm)")
	}
	if _, err := os.Stat(filepath.Join("browser", "node_modules", "playwright-core")); err != nil {
		missing = append(missing, "playwright-core (npm ci in jupytertest/browser)")
	}
	if err := exec.Command(python, "-c", "import notebook.notebookapp").Run(); err != nil {
		missing = append(missing, "the classic Notebook (apt-get install jupyter-notebook)")
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("the browser test needs %v", missing)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (with CI=true this fails instead)")
}

// TestBrowser opens notebooks in the classic Notebook server in headless
// Chromium, runs all their cells through the UI, and checks the rendered
// page (browser/run.mjs): each cell's printed lines, child processes'
// included, under that cell as in the saved notebook; the timeline SVGs
// drawn; no unexpected error output; and it takes a screenshot. A notebook
// saved without outputs (a lesson cleared for students) is checked against
// a headless run of it (nbconvert --execute) made first.
func TestBrowser(t *testing.T) {
	needBrowser(t)
	if src := os.Getenv(browserNotebookEnv); src != "" {
		browse(t, browserCase{notebook: src}, os.Getenv(browserScreenshotEnv))
		return
	}
	for _, c := range browserLessons {
		t.Run(strings.TrimSuffix(filepath.Base(c.notebook), ".ipynb"), func(t *testing.T) {
			shot := ""
			if dir := os.Getenv(browserScreenshotDirEnv); dir != "" {
				shot = filepath.Join(dir, c.screenshot)
			}
			browse(t, c, shot)
		})
	}
}

// browse runs one notebook in the browser; its screenshot goes to
// screenshot, or a temporary file if that is empty.
func browse(t *testing.T, c browserCase, screenshot string) {
	src := fromRoot(t, c.notebook)
	dir := t.TempDir()
	nbDir := filepath.Join(dir, "notebooks")
	if err := os.MkdirAll(nbDir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(src)
	// A copy: the server may save checkpoints, and must not touch the repo.
	if err := os.WriteFile(filepath.Join(nbDir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if screenshot == "" {
		screenshot = filepath.Join(dir, "screenshot.png")
	} else {
		screenshot = fromRoot(t, screenshot)
	}

	base, stopServer := startNotebookServer(t, nbDir)
	defer stopServer()

	pageURL := base.JoinPath("notebooks", name)
	q := pageURL.Query()
	q.Set("token", base.Query().Get("token"))
	pageURL.RawQuery = q.Encode()

	expected := withOutputs(t, src, data, filepath.Join(dir, "reference"))

	profile := filepath.Join(dir, "chromium-profile")
	nodeTmp := filepath.Join(dir, "tmp") // playwright's own temporary files
	if err := os.MkdirAll(nodeTmp, 0o755); err != nil {
		t.Fatal(err)
	}
	answers, err := json.Marshal(c.answers)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"run.mjs",
		"--url", pageURL.String(),
		"--notebook", expected,
		"--user-data-dir", profile,
		"--screenshot", screenshot,
		"--answers", string(answers),
	}
	if c.shoot != "" {
		args = append(args, "--shoot", c.shoot)
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = "browser"
	cmd.Env = append(cleanEnv(), "TMPDIR="+nodeTmp)
	// Chromium's processes are node's children, in node's process group:
	// killed with it if the run overruns.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	defer func() {
		if t.Failed() {
			t.Logf("run.mjs stderr:\n%s", stderr.String())
		}
	}()

	var res struct {
		Problems   []string
		Kernel     string
		CodeCells  int
		SVGs       int
		Lines      int
		AskedInput int
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("run.mjs: %v; no result (%v)\nstdout:\n%s", runErr, err, stdout.String())
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
	if runErr != nil && len(res.Problems) == 0 {
		t.Errorf("run.mjs: %v", runErr)
	}
	if res.Kernel != "gomp" {
		t.Errorf("the notebook ran with kernel %q, want gomp", res.Kernel)
	}
	if res.SVGs < c.minSVGs || res.Lines < c.minLines {
		t.Errorf("%s drew %d SVGs and printed %d lines; want at least %d and %d", name, res.SVGs, res.Lines, c.minSVGs, c.minLines)
	}
	if len(c.answers) > 0 && res.AskedInput == 0 {
		t.Errorf("%s asked for no input; the test has answers for it", name)
	}
	if info, err := os.Stat(screenshot); err != nil || info.Size() < 10000 {
		t.Errorf("no screenshot at %s (%v)", screenshot, err)
	}
	t.Logf("%s: %d code cells, %d SVGs, %d lines checked (%d cells that asked for input, lines not compared); screenshot %s",
		name, res.CodeCells, res.SVGs, res.Lines, res.AskedInput, screenshot)
}

// withOutputs returns the notebook src (whose content is data) if it was
// saved with outputs, or else a copy executed headless (nbconvert
// --execute) into refDir: what a run of its cells must show.
func withOutputs(t *testing.T, src string, data []byte, refDir string) string {
	t.Helper()
	if hasOutputs(t, data) {
		return src
	}
	_, stderr, err := runCmd(t, 5*time.Minute, nil, python, "-m", "nbconvert",
		"--to", "notebook", "--execute", "--output-dir", refDir,
		"--ExecutePreprocessor.timeout=120", src)
	if err != nil {
		t.Fatalf("the reference run of %s (nbconvert --execute): %v\n%s", filepath.Base(src), err, stderr)
	}
	return filepath.Join(refDir, filepath.Base(src))
}

// hasOutputs says whether a notebook was saved with some output: if not
// (a lesson cleared for students), what Run All must show is unknown.
func hasOutputs(t *testing.T, data []byte) bool {
	t.Helper()
	var nb struct {
		Cells []struct {
			Outputs []json.RawMessage `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("reading the notebook: %v", err)
	}
	for _, c := range nb.Cells {
		if len(c.Outputs) > 0 {
			return true
		}
	}
	return false
}

// fromRoot makes p absolute, a relative p being relative to the
// repository's root (the tests run in jupytertest/).
func fromRoot(t *testing.T, p string) string {
	t.Helper()
	if !filepath.IsAbs(p) {
		p = filepath.Join("..", p)
	}
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// startNotebookServer starts the classic Notebook server on loopback, on a
// free port, with a random token, serving dir, with the test's Jupyter
// environment (gomp registered). It returns the server's base URL (with
// the token as a query parameter) and a func that stops it and checks that
// no kernel is left.
func startNotebookServer(t *testing.T, dir string) (*url.URL, func()) {
	t.Helper()
	return startServer(t, dir, "the Notebook server", func(port int, token string) []string {
		return []string{"-m", "notebook",
			"--no-browser", "--ip=127.0.0.1", "--port=" + strconv.Itoa(port), "--port-retries=0",
			"--NotebookApp.token=" + token, "--NotebookApp.password=",
			"--notebook-dir=" + dir}
	})
}

// startServer starts a Jupyter server (what, for messages) as
// startNotebookServer says, with the python arguments that args gives for
// a free port and a random token.
func startServer(t *testing.T, dir, what string, args func(port int, token string) []string) (*url.URL, func()) {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	tok := make([]byte, 24)
	rand.Read(tok)
	token := hex.EncodeToString(tok)
	cmd := exec.Command(python, args(port, token)...)
	if os.Geteuid() == 0 {
		// CI containers run as root; the server refuses that unless told.
		cmd.Args = append(cmd.Args, "--allow-root")
	}
	cmd.Env = jupyterEnv
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", what, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		// SIGTERM: the server shuts its kernels down and exits.
		syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			t.Errorf("%s did not exit 20s after SIGTERM; killing it", what)
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("%s: log:\n%s", what, log.String())
		}
		// A kernel notices its server's death within a second (it
		// watches JPY_PARENT_PID); give a shutting-down one that long.
		deadline := time.Now().Add(3 * time.Second)
		for len(leftoverKernels()) > 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if pids := leftoverKernels(); len(pids) > 0 {
			t.Errorf("kernel processes left running after %s: %s", what, describe(pids))
			killAll(pids)
		}
	}
	base := &url.URL{Scheme: "http", Host: "127.0.0.1:" + strconv.Itoa(port), Path: "/", RawQuery: "token=" + token}
	status := base.JoinPath("api", "status")
	status.RawQuery = base.RawQuery
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err // for stop
			stop()
			t.Fatalf("%s exited at start: %v\n%s", what, err, log.String())
		default:
		}
		resp, err := http.Get(status.String())
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, stop
			}
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("%s did not answer on %s within 60s:\n%s", what, status.Redacted(), log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// freePort asks the kernel for a loopback port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("not a TCP address")
	}
	return addr.Port, nil
}
