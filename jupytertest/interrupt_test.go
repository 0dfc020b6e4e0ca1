package jupytertest

import (
	"encoding/json"
	"testing"
	"time"
)

// Interrupts in both interrupt modes stop a spinning, a sleeping and a
// blocked cell, and the next cell runs (interrupt.py). The time from the
// interrupt to the reply is logged; the 1 s goal is measured in bench/, not
// asserted here.
func TestInterrupt(t *testing.T) {
	needJupyter(t)
	for _, kernel := range []string{"gomp", "gomp-message"} {
		t.Run(kernel, func(t *testing.T) {
			out, err := runPython(t, 3*time.Minute, []string{"GOMP_KERNEL=" + kernel}, "interrupt.py")
			var res struct {
				Problems []string
				Elapsed  map[string]float64
			}
			if jerr := json.Unmarshal([]byte(out), &res); jerr != nil {
				t.Fatalf("interrupt.py: %v; no result (%v)\nstdout:\n%s", err, jerr, out)
			}
			for _, p := range res.Problems {
				t.Error(p)
			}
			for name, s := range res.Elapsed {
				t.Logf("%s: reply %.3fs after the interrupt", name, s)
			}
			if err != nil && len(res.Problems) == 0 {
				t.Errorf("interrupt.py: %v", err)
			}
		})
	}
}
