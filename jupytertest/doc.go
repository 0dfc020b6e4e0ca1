// Package jupytertest checks gomp against real Jupyter clients.
//
// The unit tests of package kernel talk to the kernel through the package's
// own Go code; that cannot tell whether Jupyter itself understands the kernel.
// These tests build the gomp binary, register it in a temporary kernelspec
// directory, and drive it with the programs users and graders run:
// jupyter_client (through Python scripts kept beside the tests),
// jupyter_kernel_test (the protocol's conformance suite), `jupyter nbconvert
// --execute` (nbclient) and `jupyter console`.
//
// Those come from Debian's packages (jupyter-client,
// python3-jupyter-kernel-test, jupyter-nbconvert, python3-nbclient,
// jupyter-console, python3-pexpect), run with /usr/bin/python3 because the
// first python3 on PATH may be another interpreter without them. A developer
// without them still gets a useful `go test ./...`, so the tests skip, saying
// what is missing; with CI=true they fail instead, because CI installs them
// (.ci/run) and a skip there would hide a broken kernel.
//
// TestBrowser goes one step further, to what a reader sees: it starts the
// classic Notebook server (Debian's jupyter-notebook) on loopback and has
// headless Chromium (Debian's chromium, driven by playwright-core from
// browser/, installed there with npm ci) run a notebook's cells through
// the UI and check the rendered page.
//
// The tests never touch the user's own Jupyter setup: JUPYTER_PATH,
// JUPYTER_DATA_DIR, JUPYTER_CONFIG_DIR and JUPYTER_RUNTIME_DIR point into a
// temporary directory that is removed at the end, and every kernel process
// left behind by a test is reported as a failure and killed.
//
// With GOMP_TEST_RACE=1 the gomp binary is built with -race, and a race
// report from any kernel fails the run. It is not the default because yaegi
// itself races when interpreted goroutines share closures (see
// eval/concurrent_test.go), which would fail tests for races that are not
// gomp's.
package jupytertest
