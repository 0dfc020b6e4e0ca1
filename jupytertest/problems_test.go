package jupytertest

import (
	"encoding/json"
	"testing"
	"time"
)

// runProblems runs a script that checks things itself and prints
// {"problems": [...]}; each problem becomes a test error. It returns the
// script's whole result.
func runProblems(t *testing.T, timeout time.Duration, env []string, script string, args ...string) map[string]any {
	t.Helper()
	out, err := runPython(t, timeout, env, script, args...)
	var res struct{ Problems []string }
	if jerr := json.Unmarshal([]byte(out), &res); jerr != nil {
		t.Fatalf("%s: %v; no result (%v)\nstdout:\n%s", script, err, jerr, out)
	}
	var all map[string]any
	_ = json.Unmarshal([]byte(out), &all)
	for _, p := range res.Problems {
		t.Error(p)
	}
	if err != nil && len(res.Problems) == 0 {
		t.Errorf("%s: %v", script, err)
	}
	return all
}

// A message signed with the wrong key, or not signed, or changed after
// signing, is never acted on at shell, control or stdin (signatures.py).
func TestSignatures(t *testing.T) {
	needJupyter(t)
	runProblems(t, 2*time.Minute, nil, "signatures.py")
}

// Garbage, wrong socket types, malformed frames and JSON, and stalled
// handshakes at every socket never stop the kernel answering (malformed.py).
func TestMalformedMessages(t *testing.T) {
	needJupyter(t)
	runProblems(t, 3*time.Minute, nil, "malformed.py")
}

// A TCP connection that stops halfway through the ZeroMQ handshake (a port
// scanner, a frozen client) must not keep new clients from connecting to the
// same socket (malformed.py stall). ipykernel (libzmq) passes this.
func TestStalledHandshake(t *testing.T) {
	needJupyter(t)
	runProblems(t, 2*time.Minute, nil, "malformed.py", "stall")
}

// fmt.Scanln and bufio.Scanner on os.Stdin go through input_request when the
// client allows stdin, and fail clearly when it does not (stdin.py).
func TestStdin(t *testing.T) {
	needJupyter(t)
	runProblems(t, 2*time.Minute, nil, "stdin.py")
}

// Restart, shutdown_request, shutdown while busy, kill and the ipc transport
// leave no kernel process or process of its group behind (lifecycle.py).
func TestLifecycle(t *testing.T) {
	needJupyter(t)
	runProblems(t, 3*time.Minute, nil, "lifecycle.py")
}

// After a cell's syscall.Close(2) the kernel's log still goes to its own
// stderr, never to a peer's socket; a flood of garbage gives a few log lines
// and a count; SIGTERM exits 0 (hardening.py).
func TestHardening(t *testing.T) {
	needJupyter(t)
	runProblems(t, 2*time.Minute, nil, "hardening.py")
}

// Three iopub subscribers that complete their handshake and then never read
// do not hold up a real client: it gets a 20 MiB output whole and in order,
// and the kernel goes on running cells (stalled.py).
func TestStalledSubscribers(t *testing.T) {
	needJupyter(t)
	// The output limits are off: this test is about slow subscribers, with
	// an output larger than a cell may print by default.
	runProblems(t, 3*time.Minute, []string{"GOMP_OUTPUT_CELL_LIMIT=0", "GOMP_OUTPUT_RATE=0"}, "stalled.py")
}

// Peers without the key (unsigned 100 MB messages, 100 MB frames sent
// slowly, 2^40-byte frame headers, more connections than the cap) do not keep
// a real client from being served; the kernel's memory is logged
// (flood.py).
func TestUnauthenticatedFlood(t *testing.T) {
	needJupyter(t)
	res := runProblems(t, 3*time.Minute, nil, "flood.py")
	t.Logf("kernel RSS (MiB): %v; connections refused: %v", res["rss_mib"], res["refused"])
}
