package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

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
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(start); err == nil {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "no start file", start)
			return 1
		}
	}
	useCgroupMemoryLimit()
	stack := debug.SetMaxStack(1e9)
	fmt.Println(debug.SetMemoryLimit(-1), stack)
	return 0
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
