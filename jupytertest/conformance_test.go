package jupytertest

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"
)

// The whole jupyter_kernel_test suite, with every attribute of KernelTests
// set (see conformance.py). Each of its tests and failed subtests becomes a
// Go subtest; a skip counts as a failure, because with every attribute set
// nothing should skip.
func TestConformance(t *testing.T) {
	needJupyter(t)
	out, err := runPython(t, 5*time.Minute, nil, "conformance.py")
	var outcomes map[string]struct{ Status, Detail string }
	if jerr := json.Unmarshal([]byte(out), &outcomes); jerr != nil {
		t.Fatalf("conformance.py: %v; no result (%v)\nstdout:\n%s", err, jerr, out)
	}
	names := make([]string, 0, len(outcomes))
	for name := range outcomes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		o := outcomes[name]
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			switch o.Status {
			case "ok":
			case "skip":
				t.Errorf("skipped (every attribute is set, nothing should skip): %s", o.Detail)
			default:
				t.Errorf("%s:\n%s", o.Status, o.Detail)
			}
		})
	}
	if len(names) < 12 { // KernelTests has 12 tests
		t.Errorf("only %d tests ran: %v", len(names), names)
	}
	if err != nil && !t.Failed() {
		t.Errorf("conformance.py: %v", err)
	}
}
