package jupytertest

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

// What `gomp install` and kernelspec.Install wrote is what Jupyter reads:
// `jupyter kernelspec list --json` finds both kernels in the temporary
// prefix, with the binary under test and the interrupt modes asked for.
func TestKernelspecList(t *testing.T) {
	needJupyter(t)
	out, _, err := runCmd(t, time.Minute, nil, python, "-m", "jupyter_client.kernelspecapp", "list", "--json")
	if err != nil {
		t.Fatalf("jupyter kernelspec list: %v", err)
	}
	var list struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
			Spec        struct {
				Argv          []string `json:"argv"`
				DisplayName   string   `json:"display_name"`
				Language      string   `json:"language"`
				InterruptMode string   `json:"interrupt_mode"`
			} `json:"spec"`
		} `json:"kernelspecs"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("jupyter kernelspec list --json: %v\n%s", err, out)
	}
	for name, mode := range map[string]string{"gomp": "signal", "gomp-message": "message"} {
		ks, ok := list.Kernelspecs[name]
		if !ok {
			t.Errorf("jupyter does not list %s; it lists %v", name, list.Kernelspecs)
			continue
		}
		if want := filepath.Join(tmpDir, "prefix", "share", "jupyter", "kernels", name); ks.ResourceDir != want {
			t.Errorf("%s: resource_dir %s, want %s", name, ks.ResourceDir, want)
		}
		s := ks.Spec
		if len(s.Argv) != 3 || s.Argv[0] != gompBin || s.Argv[1] != "kernel" || s.Argv[2] != "{connection_file}" {
			t.Errorf("%s: argv %q", name, s.Argv)
		}
		if s.Language != "go" || s.InterruptMode != mode {
			t.Errorf("%s: language %q, interrupt_mode %q; want go, %s", name, s.Language, s.InterruptMode, mode)
		}
		if name == "gomp" && s.DisplayName != "Go (mp)" {
			t.Errorf("gomp: display_name %q", s.DisplayName)
		}
	}
}

// `install.sh --prefix /usr/local` (the README's command for a hub)
// registers the kernel where every user's Jupyter looks without being told:
// /usr/local/share/jupyter is on Jupyter's own path, with no JUPYTER_PATH.
func TestUsrLocalIsOnJupyterPath(t *testing.T) {
	needJupyter(t)
	out, _, err := runCmd(t, time.Minute, []string{"JUPYTER_PATH="}, python, "-c",
		"import json, jupyter_core.paths as p; print(json.dumps(p.jupyter_path()))")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	if err := json.Unmarshal([]byte(out), &paths); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, p := range paths {
		if p == "/usr/local/share/jupyter" {
			return
		}
	}
	t.Errorf("Jupyter's data path %v lacks /usr/local/share/jupyter", paths)
}
