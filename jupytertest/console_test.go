package jupytertest

import (
	"encoding/json"
	"testing"
	"time"
)

// jupyter console in a terminal: a multi-line function, a call, a print, an
// error, and a clean exit (console.py).
func TestConsole(t *testing.T) {
	needJupyter(t)
	out, err := runPython(t, 3*time.Minute, nil, "console.py")
	var res struct {
		Problems []string
		Screen   string
	}
	if jerr := json.Unmarshal([]byte(out), &res); jerr != nil {
		t.Fatalf("console.py: %v; no result (%v)\nstdout:\n%s", err, jerr, out)
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
	if t.Failed() {
		t.Logf("the terminal showed (escape codes removed):\n%s", res.Screen)
	}
	if err != nil && len(res.Problems) == 0 {
		t.Errorf("console.py: %v", err)
	}
}
