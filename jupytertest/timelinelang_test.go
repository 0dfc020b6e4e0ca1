package jupytertest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A timeline without a Lang speaks the language of the notebook's
// metadata where the kernel is told which notebook it runs: Jupyter Server
// (JupyterLab's, Notebook 7's, a hub's) starts a notebook's kernel with the
// notebook's path in JPY_SESSION_NAME. Two notebooks opened as JupyterLab
// opens them (a session each, labsession.py): the one whose metadata says
// "lang": "es" gets Spanish words, the one that says nothing English.
func TestTimelineLanguageFromNotebook(t *testing.T) {
	needJupyter(t)
	if err := exec.Command(python, "-c", "import jupyter_server").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("jupyter_server is missing (apt-get install jupyter-server)")
		}
		t.Skip("jupyter_server is missing (apt-get install jupyter-server); with CI=true this fails instead")
	}
	root := filepath.Join(t.TempDir(), "root")
	for name, meta := range map[string]string{"es.ipynb": `{"lang": "es"}`, "en.ipynb": ""} {
		writeNotebookMeta(t, filepath.Join(root, "curso", name), meta, []cell{{Source: "1"}})
	}
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

	code := "import (\n\t\"fmt\"\n\t\"mp\"\n)\n\ntl := mp.NewTimeline()\ntl.Span(\"uno\", func() {})\nfmt.Println(tl)"
	out, err := runPython(t, 3*time.Minute, nil, "labsession.py", baseURL.String(), token,
		filepath.Join(tmpDir, "runtime"), code, "curso/es.ipynb", "curso/en.ipynb")
	if err != nil {
		t.Fatalf("labsession.py: %v\n%s", err, out)
	}
	var said map[string]string
	if err := json.Unmarshal([]byte(out), &said); err != nil {
		t.Fatalf("labsession.py said %q: %v", out, err)
	}
	if es := said["curso/es.ipynb"]; !strings.Contains(es, "desde") || !strings.Contains(es, "duración") {
		t.Errorf("the timeline in a notebook whose metadata says lang es printed %q, want Spanish headers", es)
	}
	if en := said["curso/en.ipynb"]; !strings.Contains(en, "from") || !strings.Contains(en, "duration") {
		t.Errorf("the timeline in a notebook without lang printed %q, want English headers", en)
	}
}
