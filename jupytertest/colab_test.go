package jupytertest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// colabSetup is the notebook that installs gomp on a host that only has a
// Python runtime; TestNotebooks leaves it to TestColabSetup.
const colabSetup = "instalar-en-colab.ipynb"

// The Colab-style recipe as a student runs it: notebooks/instalar-en-colab
// executed by nbconvert with Debian's ipykernel (python3), its GOMP
// variable pointing at this checkout, under a home and a Jupyter data
// directory of its own (so the user's registration is never touched); then
// a lesson executed with the kernel the recipe registered. Nothing is left
// behind: the checkout's files, ignored ones included, are as they were,
// and no process of the installed binary outlives the run.
func TestColabSetup(t *testing.T) {
	needJupyter(t)
	checkout, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	before := checkoutState(t, checkout)

	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	data := filepath.Join(home, ".local", "share", "jupyter")
	env := []string{
		"HOME=" + home,
		"JUPYTER_DATA_DIR=" + data,
		"JUPYTER_PATH=", // not the other tests' kernels: only what the recipe registers
		"JUPYTER_CONFIG_DIR=" + filepath.Join(home, ".jupyter"),
		"JUPYTER_RUNTIME_DIR=" + filepath.Join(dir, "runtime"),
		"IPYTHONDIR=" + filepath.Join(home, ".ipython"),
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
	}
	// Go's caches stay the machine's, so the build is a warm one and
	// downloads nothing: the new home is only for Jupyter and the binary.
	for _, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		env = append(env, name+"="+strings.TrimSpace(string(out)))
	}

	setup := filepath.Join(dir, colabSetup)
	writeSetupFor(t, filepath.Join("..", "notebooks", colabSetup), setup, checkout)
	_, stderr, err := runCmd(t, 10*time.Minute, env, python, "-m", "nbconvert",
		"--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=python3",
		"--ExecutePreprocessor.timeout=600", "--output-dir", filepath.Join(dir, "out"), setup)
	if err != nil {
		t.Fatalf("the setup notebook under ipykernel: %v\n%s", err, stderr)
	}
	said := streams(readOutputs(t, filepath.Join(dir, "out", colabSetup))[1], "stdout")
	if !strings.Contains(said, "Listo: el kernel «Go (mp)» está registrado en "+filepath.Join(data, "kernels", "gomp")) ||
		!strings.Contains(said, "cambia el entorno de ejecución") {
		t.Errorf("the setup cell said:\n%s", said)
	}

	// The kernel it registered, for this user, runs the binary it built.
	bin := filepath.Join(home, ".local", "bin", "gomp")
	spec, err := os.ReadFile(filepath.Join(data, "kernels", "gomp", "kernel.json"))
	if err != nil {
		t.Fatalf("the recipe registered no kernel: %v", err)
	}
	var ks struct {
		Argv        []string `json:"argv"`
		DisplayName string   `json:"display_name"`
	}
	if err := json.Unmarshal(spec, &ks); err != nil || len(ks.Argv) == 0 || ks.Argv[0] != bin || ks.DisplayName != "Go (mp)" {
		t.Fatalf("kernel.json %s (%v), want argv[0] %s and Go (mp)", spec, err, bin)
	}

	lesson := filepath.Join("..", "notebooks", "03-concurrencia-y-paralelismo.ipynb")
	_, stderr, err = runCmd(t, 10*time.Minute, env, python, "-m", "nbconvert",
		"--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120",
		"--output-dir", filepath.Join(dir, "out"), lesson)
	if err != nil {
		t.Fatalf("lesson 03 with the kernel the recipe installed: %v\n%s", err, stderr)
	}
	for i, outs := range readOutputs(t, filepath.Join(dir, "out", filepath.Base(lesson))) {
		if errs := ofType(outs, "error"); len(errs) > 0 {
			t.Errorf("lesson 03, cell %d failed: %+v", i+1, errs)
		}
	}
	if pids := processesOf(bin); len(pids) > 0 {
		t.Errorf("the installed kernel left processes running: %s", describe(pids))
		killAll(pids)
	}
	if after := checkoutState(t, checkout); after != before {
		t.Errorf("the recipe changed the checkout:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// writeSetupFor copies the setup notebook to out with its GOMP variable set
// to source, as a student edits it.
func writeSetupFor(t *testing.T, in, out, source string) {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string]any
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: %v", in, err)
	}
	set := 0
	for _, c := range nb["cells"].([]any) {
		cell := c.(map[string]any)
		if cell["cell_type"] != "code" {
			continue
		}
		lines := cell["source"].([]any)
		for i, l := range lines {
			if s := l.(string); strings.HasPrefix(s, "GOMP = ") {
				lines[i] = "GOMP = " + pyString(source) + "\n"
				set++
			}
		}
	}
	if set != 1 {
		t.Fatalf("%s: %d lines set GOMP, want one variable in one cell", in, set)
	}
	b, err = json.Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pyString is s as a Python string literal (JSON's escapes are Python's).
func pyString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkoutState lists what a build or a clone by the recipe would change
// in the checkout: the entries of its top folder and of bin/ (install.sh's
// default place for the binary), with their sizes and times.
func checkoutState(t *testing.T, checkout string) string {
	t.Helper()
	var b strings.Builder
	for _, d := range []string{checkout, filepath.Join(checkout, "bin")} {
		entries, err := os.ReadDir(d)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil || e.IsDir() {
				// A folder's time changes with what other tests write in it.
				fmt.Fprintln(&b, filepath.Join(d, e.Name()))
				continue
			}
			fmt.Fprintf(&b, "%s %d %s\n", filepath.Join(d, e.Name()), info.Size(), info.ModTime())
		}
	}
	return b.String()
}
