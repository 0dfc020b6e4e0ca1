package mp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// budgetTargets are the targets of these tests (targets_test.go adds them).
var budgetTargets = map[string]any{
	"startUntilRefused": startUntilRefused,
	"startSelf":         startSelf,
}

// tryStart starts p and returns the error Start panics with, if any.
func tryStart(p *Process) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(error)
			if !ok {
				e = fmt.Errorf("%v", r)
			}
			err = e
		}
	}()
	p.Start()
	return nil
}

// startUntilRefused starts sleeping children until Start fails, prints how
// many it started and the error, and stops them.
func startUntilRefused() {
	var started []*Process
	for {
		p := NewProcess(sleepLong)
		if err := tryStart(p); err != nil {
			fmt.Printf("started %d; too many: %v; %v\n", len(started), errors.Is(err, ErrTooManyProcesses), err)
			break
		}
		started = append(started, p)
	}
	for _, p := range started {
		p.Kill()
		p.Join()
	}
}

// startSelf is a fork bomb: every process starts two more of itself
// (down to depth 0), printing for each whether it could, and keeps its
// place until the file at path exists.
func startSelf(path string, depth int) {
	var kids []*Process
	for range 2 {
		if depth == 0 {
			break
		}
		p := NewProcess(startSelf, path, depth-1)
		if err := tryStart(p); err != nil {
			if errors.Is(err, ErrTooManyProcesses) {
				fmt.Println("refused")
			} else {
				fmt.Println("other error:", err)
			}
			continue
		}
		fmt.Println("started")
		kids = append(kids, p)
	}
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for _, p := range kids {
		p.Join()
	}
}

// withMaxProcesses sets the limit for the test, and back after it.
func withMaxProcesses(t *testing.T, n int) {
	t.Helper()
	before := MaxProcesses()
	SetMaxProcesses(n)
	t.Cleanup(func() { SetMaxProcesses(before) })
}

func TestStartPastTheLimitFails(t *testing.T) {
	inCell(t)
	withMaxProcesses(t, 2)
	if got := MaxProcesses(); got != 2 {
		t.Fatalf("MaxProcesses() = %d after SetMaxProcesses(2)", got)
	}
	a, b := NewProcess(sleepLong), NewProcess(sleepLong)
	a.Start()
	b.Start()
	c := NewProcess(sleepLong)
	err := tryStart(c)
	if !errors.Is(err, ErrTooManyProcesses) || !strings.Contains(err.Error(), "mp.SetMaxProcesses") || !strings.Contains(err.Error(), MaxProcessesEnv) {
		t.Fatalf("the third Start under a limit of 2: %v; want ErrTooManyProcesses saying how to raise it", err)
	}
	if c.Pid() != 0 && c.IsAlive() {
		t.Errorf("the refused process runs as pid %d", c.Pid())
	}
	// A reaped child gives its place back.
	a.Kill()
	a.Join()
	d := NewProcess(sleepLong)
	if err := tryStart(d); err != nil {
		t.Fatalf("Start after one of two ended: %v", err)
	}
	for _, p := range []*Process{b, d} {
		p.Kill()
		p.Join()
	}
}

// The limit is the kernel's, over its whole tree: a child that starts
// processes has the places its parent has left, no more.
func TestLimitCountsGrandchildren(t *testing.T) {
	rec, _ := inCell(t)
	withMaxProcesses(t, 4)
	p := NewProcess(startUntilRefused)
	p.Start()
	p.Join()
	if p.ExitCode() != 0 {
		t.Fatalf("exit code %v; stderr %q", p.ExitCode(), rec.text("stderr"))
	}
	// The child itself is one of the four.
	if out := rec.text("stdout"); !strings.HasPrefix(out, "started 3; too many: true; ") {
		t.Errorf("the child printed %q; want it to start 3 before Start failed", out)
	}
}

// A fork bomb ends with errors, not with the machine full: no more than
// the limit ever run, and every Start past it says so.
func TestForkBombIsRefused(t *testing.T) {
	rec, _ := inCell(t)
	withMaxProcesses(t, 6)
	release := filepath.Join(t.TempDir(), "release")
	// A binary tree of depth 4 would be 30 processes; 6 may run.
	p := NewProcess(startSelf, release, 4)
	p.Start()
	// The 6 that start each try twice: 12 lines, then they may end.
	waitLines(t, rec, 12)
	os.WriteFile(release, nil, 0o600)
	p.Join()
	if p.ExitCode() != 0 {
		t.Fatalf("exit code %v; stderr %q", p.ExitCode(), rec.text("stderr"))
	}
	out := rec.text("stdout")
	if started, refused := strings.Count(out, "started"), strings.Count(out, "refused"); started != 5 || refused != 7 || strings.Contains(out, "other error") {
		t.Errorf("the bomb started %d and was refused %d times; want 5 (and the first, by the test) and 7:\n%s", started, refused, out)
	}
	if n := len(budgetFiles(t)); n != 0 {
		t.Errorf("the budget still counts processes of %d parents after they all ended", n)
	}
}

// waitLines waits until rec's stdout has n lines (a guard deadline fails
// the test instead of hanging it).
func waitLines(t *testing.T, rec *recorder, n int) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		rec.mu.Lock()
		out := ""
		if b := rec.streams["stdout"]; b != nil {
			out = b.String()
		}
		changed := rec.changed
		rec.mu.Unlock()
		if strings.Count(out, "\n") >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("stdout has not %d lines after 30s: %q; stderr %q", n, out, rec.text("stderr"))
		}
	}
}

// budgetFiles lists the per-process count files of the budget.
func budgetFiles(t *testing.T) []string {
	t.Helper()
	budget.mu.Lock()
	dir := budget.dir
	budget.mu.Unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			files = append(files, e.Name())
		}
	}
	return files
}

// The file of a process that was killed with children counts for nothing.
func TestBudgetForgetsAKilledProcess(t *testing.T) {
	inCell(t)
	withMaxProcesses(t, 3)
	budget.mu.Lock()
	dir := budget.dir
	budget.mu.Unlock()
	// A process that is gone: a pid with a start time that is not its.
	stale := strconv.Itoa(os.Getppid())
	if err := os.WriteFile(filepath.Join(dir, stale), []byte("1 3"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := NewProcess(sleepLong)
	if err := tryStart(a); err != nil {
		t.Fatalf("Start with a stale count of 3 in the budget: %v", err)
	}
	a.Kill()
	a.Join()
	if _, err := os.Stat(filepath.Join(dir, stale)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale count file is still there (%v)", err)
	}
}

func TestSetMaxProcessesRefusesZero(t *testing.T) {
	if msg := mustPanic(t, func() { SetMaxProcesses(0) }); !strings.Contains(msg, "at least 1") {
		t.Errorf("SetMaxProcesses(0) panicked with %q", msg)
	}
}

func TestInitialMaxProcesses(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want int
	}{{"", DefaultMaxProcesses}, {"12", 12}, {" 7 ", 7}, {"0", DefaultMaxProcesses}, {"lots", DefaultMaxProcesses}} {
		t.Setenv(MaxProcessesEnv, tc.env)
		if got := initialMaxProcesses(); got != tc.want {
			t.Errorf("%s=%q: %d, want %d", MaxProcessesEnv, tc.env, got, tc.want)
		}
	}
}

// Pool workers count too: a pool that would take the kernel past its limit
// is refused, and its workers that did start are stopped (their places
// given back).
func TestPoolWorkersCount(t *testing.T) {
	inCell(t)
	withMaxProcesses(t, 2)
	hold := NewProcess(sleepLong)
	hold.Start()
	msg := mustPanic(t, func() { NewPool(2) })
	if !strings.Contains(msg, "too many processes") {
		t.Errorf("NewPool(2) with one of two places taken: %q", msg)
	}
	hold.Kill()
	hold.Join()
	pool := NewPool(2) // both places free again
	pool.Terminate()
	pool.Join()
}
