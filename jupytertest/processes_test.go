package jupytertest

import (
	"encoding/json"
	"testing"
	"time"
)

// mp's child processes through the real kernel and a Jupyter client
// (processes.py): output under the right cell, pids and parent pids,
// interrupts, and nothing left after shutdown, restart or SIGKILL.
func TestProcesses(t *testing.T) {
	needJupyter(t)
	out, err := runPython(t, 4*time.Minute, nil, "processes.py")
	var res struct{ Problems []string }
	if jerr := json.Unmarshal([]byte(out), &res); jerr != nil {
		t.Fatalf("processes.py: %v; no result (%v)\nstdout:\n%s", err, jerr, out)
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
	if err != nil && len(res.Problems) == 0 {
		t.Errorf("processes.py: %v", err)
	}
}
