package jupytertest

import (
	"encoding/json"
	"testing"
	"time"
)

// A Go fatal error in a cell (real concurrent map writes, endless
// recursion) fails that cell with the runtime's message and a new session
// runs the next one, while the kernel, its heartbeat and its execution count
// go on; a cell's signal.Ignore or signal.Reset cannot disarm interrupts;
// shutdown leaves no process (fatal.py).
func TestFatalErrors(t *testing.T) {
	needJupyter(t)
	for _, kernel := range []string{"gomp", "gomp-message"} {
		t.Run(kernel, func(t *testing.T) {
			out, err := runPython(t, 4*time.Minute, []string{"GOMP_KERNEL=" + kernel}, "fatal.py")
			var res struct{ Problems []string }
			if jerr := json.Unmarshal([]byte(out), &res); jerr != nil {
				t.Fatalf("fatal.py: %v; no result (%v)\nstdout:\n%s", err, jerr, out)
			}
			for _, p := range res.Problems {
				t.Error(p)
			}
			if err != nil && len(res.Problems) == 0 {
				t.Errorf("fatal.py: %v", err)
			}
		})
	}
}
