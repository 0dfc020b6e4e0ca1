package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"gomp/backend"
	"gomp/backend/remote"
	"gomp/mp"
)

func TestMemorySoftLimit(t *testing.T) {
	if _, ok := memorySoftLimit(mp.Limits{MemoryMax: -1}); ok {
		t.Error("a soft limit without a group limit")
	}
	if got, _ := memorySoftLimit(mp.Limits{MemoryMax: 1 << 30}); got != 896<<20 {
		t.Errorf("for 1 GiB: %d MiB, want 896", got>>20)
	}
	if got := maxStackFor(896 << 20); got != 224<<20 {
		t.Errorf("stacks for 896 MiB: %d MiB, want 224", got>>20)
	}
	if got := maxStackFor(64 << 30); got != 1e9 {
		t.Errorf("stacks for 64 GiB: %d, want Go's 1e9", got)
	}
	// This machine's own group, whatever it sets.
	l := mp.CgroupLimits()
	if soft, ok := memorySoftLimit(l); ok != (l.MemoryMax > 0) || ok && (soft <= 0 || soft >= l.MemoryMax) {
		t.Errorf("for this machine's %v: %d, %v", l, soft, ok)
	}
}

// memLimitEnv makes the test binary wait for the file it names, set its
// soft limit as a session does, and print it.
const memLimitEnv = "GOMP_TEST_MEMLIMIT_START"

func printMemoryLimit(start string) int {
	if !waitForFile(start) {
		return 1
	}
	useCgroupMemoryLimit()
	stack := debug.SetMaxStack(1e9)
	fmt.Println(debug.SetMemoryLimit(-1), stack)
	return 0
}

// waitForFile waits, at most a minute, until name exists (the test has
// moved this process into its cgroup).
func waitForFile(name string) bool {
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(name); err == nil {
			return true
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "no start file", name)
			return false
		}
	}
}

// For real: a process moved into a memory cgroup of 256 MiB sets its soft
// limit to 224 MiB and its goroutines' stacks to 56 MiB at most;
// GOMEMLIMIT wins over the group (and leaves Go's 1 GB stacks).
func TestSessionTakesTheCgroupsMemoryLimit(t *testing.T) {
	procs := memoryCgroup(t, 256<<20)
	for _, tc := range []struct {
		env  string
		want string
	}{{"", fmt.Sprint(224<<20, 56<<20)}, {"GOMEMLIMIT=100MiB", fmt.Sprint(100<<20, int(1e9))}} {
		start := filepath.Join(t.TempDir(), "start")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), memLimitEnv+"="+start, tc.env)
		var out strings.Builder
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(procs, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("moving the process into the cgroup: %v", err)
		}
		os.WriteFile(start, nil, 0o600)
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(out.String()); got != tc.want {
			t.Errorf("%q: soft limit and most stack %s, want %s", tc.env, got, tc.want)
		}
	}
}

// memoryCgroup makes a memory cgroup limited to limit bytes, or skips t
// saying why it cannot (not root, no writable hierarchy); it returns the
// file to write a pid to. The group is removed when the test ends.
func memoryCgroup(t *testing.T, limit int64) string {
	t.Helper()
	name := fmt.Sprintf("gomp-main-test-%d", os.Getpid())
	var dir, limitFile string
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		os.WriteFile("/sys/fs/cgroup/cgroup.subtree_control", []byte("+memory"), 0o644)
		dir, limitFile = filepath.Join("/sys/fs/cgroup", name), "memory.max"
	} else if _, err := os.Stat("/sys/fs/cgroup/memory/memory.limit_in_bytes"); err == nil {
		dir, limitFile = filepath.Join("/sys/fs/cgroup/memory", name), "memory.limit_in_bytes"
	} else {
		t.Skip("no cgroup memory controller under /sys/fs/cgroup; TestMemorySoftLimit covers the computation")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup (%v): needs root and a writable cgroup hierarchy; TestMemorySoftLimit covers the computation", err)
	}
	t.Cleanup(func() {
		for range 100 {
			if err := os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("could not remove the test's cgroup %s", dir)
	})
	if err := os.WriteFile(filepath.Join(dir, limitFile), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
		t.Fatalf("setting %s: %v", limitFile, err)
	}
	return filepath.Join(dir, "cgroup.procs")
}

// recursionEnv makes the test binary wait for the file it names, then run
// an endless recursion in a real session process (`gomp session`, started
// as the kernel starts it) and print the error the cell got.
const recursionEnv = "GOMP_TEST_RECURSION_START"

func recurseInASession(start string) int {
	if !waitForFile(start) {
		return 1
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, recursionEnv+"=") {
			env = append(env, kv)
		}
	}
	c, err := remote.Start(remote.Options{
		Command: []string{os.Args[0], "session"},
		Env:     append(env, runMainEnv+"=1"),
		Stderr:  io.Discard,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	res := c.Execute(context.Background(), backend.ExecuteRequest{Code: `func deeper(n int) int { return deeper(n+1) + 1 }

deeper(0)`}, discardOutput{})
	if res.Err == nil {
		fmt.Println("no error")
		return 0
	}
	fmt.Println(res.Err.Name + ": " + res.Err.Value)
	return 0
}

type discardOutput struct{}

func (discardOutput) Stream(string, string)   {}
func (discardOutput) Display(backend.Display) {}
func (discardOutput) ClearOutput(bool)        {}
func (discardOutput) Input(context.Context, string, bool) (string, error) {
	return "", backend.ErrNoStdin
}

// For real: in a control group of 512 MiB, an endless recursion in a cell
// ends in Go's stack overflow (stacks at most 112 MiB there), where Go's
// 1 GB stacks would have the out-of-memory killer end the session first.
func TestRecursionInASmallCgroupIsAStackOverflow(t *testing.T) {
	procs := memoryCgroup(t, 512<<20)
	start := filepath.Join(t.TempDir(), "start")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), recursionEnv+"="+start)
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(procs, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("moving the process into the cgroup: %v", err)
	}
	os.WriteFile(start, nil, 0o600)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "fatal error: stack overflow" {
		t.Errorf("the endless recursion's cell: %q, want fatal error: stack overflow", got)
	}
}
