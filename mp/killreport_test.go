package mp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var killTargets = map[string]any{
	"hogWhenFile": hogWhenFile,
}

// hogWhenFile waits until the file at path exists, then takes memory
// until it is stopped: 16 MiB at a time, every page written.
func hogWhenFile(path string) {
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	var held [][]byte
	for {
		b := make([]byte, 16<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		held = append(held, b)
		fmt.Fprintf(os.Stderr, "") // keep held alive for the compiler's sake
		_ = held
	}
}

// A child killed by a SIGKILL mp did not send (the OOM killer's signal; here
// the test's own) ends Join with -9, and the cell is told what it means.
func TestForeignKillIsReported(t *testing.T) {
	rec, _ := inCell(t)
	p := NewProcess(sleepLong)
	p.Start()
	if err := syscall.Kill(p.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.Join()
	if p.ExitCode() != -9 {
		t.Fatalf("exit code %v, want -9", p.ExitCode())
	}
	want := fmt.Sprintf("mp: %s (pid %d) was killed by signal 9 (SIGKILL), likely by the out-of-memory killer or a memory limit", p.Name, p.Pid())
	rec.waitFor(t, "stderr", want)
}

// Signals of mp's own (Kill, Terminate) are no news: nothing is said.
func TestOwnKillIsNotReported(t *testing.T) {
	rec, _ := inCell(t)
	a, b := NewProcess(sleepLong), NewProcess(sleepLong)
	a.Start()
	b.Start()
	a.Kill()
	b.Terminate()
	a.Join()
	b.Join()
	// Join returns once the children's output (and any note) is out.
	if got := rec.text("stderr"); got != "" {
		t.Errorf("stderr %q after Kill and Terminate", got)
	}
	if a.ExitCode() != -9 || b.ExitCode() != -15 {
		t.Errorf("exit codes %v, %v", a.ExitCode(), b.ExitCode())
	}
}

func TestSignalMeaning(t *testing.T) {
	for sig, want := range map[syscall.Signal]string{
		syscall.SIGKILL: "out-of-memory killer",
		syscall.SIGSEGV: "crash",
		syscall.SIGTERM: "another program",
		syscall.SIGXCPU: "CPU time limit",
	} {
		if got := signalMeaning(sig); !strings.Contains(got, want) {
			t.Errorf("%v: %q, want it to say %q", sig, got, want)
		}
	}
	if signalName(syscall.SIGSEGV) != "SIGSEGV" {
		t.Errorf("signalName(SIGSEGV) = %q", signalName(syscall.SIGSEGV))
	}
}

// memoryCgroup makes a memory cgroup limited to limit bytes, or skips t
// saying why it cannot (not root, no writable hierarchy); it returns the
// file to write a pid to, to put that process in it. The group is removed
// when the test ends (its processes are gone by then).
func memoryCgroup(t *testing.T, limit int64) string {
	t.Helper()
	name := fmt.Sprintf("gomp-mp-test-%d", os.Getpid())
	var dir, limitFile string
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		// v2: the group is a child of the root, which must hand it the
		// memory controller.
		os.WriteFile("/sys/fs/cgroup/cgroup.subtree_control", []byte("+memory"), 0o644)
		dir, limitFile = filepath.Join("/sys/fs/cgroup", name), "memory.max"
	} else if _, err := os.Stat("/sys/fs/cgroup/memory/memory.limit_in_bytes"); err == nil {
		dir, limitFile = filepath.Join("/sys/fs/cgroup/memory", name), "memory.limit_in_bytes"
	} else {
		t.Skip("no cgroup memory controller under /sys/fs/cgroup; TestForeignKillIsReported covers the report with a SIGKILL of the test's own")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup (%v): needs root and a writable cgroup hierarchy; TestForeignKillIsReported covers the report with a SIGKILL of the test's own", err)
	}
	t.Cleanup(func() {
		// rmdir fails while a process is still in it: the test has joined
		// it, but the kernel may take a moment to let go.
		for i := 0; i < 100; i++ {
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
	// No swap to escape to (v1 memsw, v2 swap.max), where the files exist.
	os.WriteFile(filepath.Join(dir, "memory.memsw.limit_in_bytes"), []byte(strconv.FormatInt(limit, 10)), 0o644)
	os.WriteFile(filepath.Join(dir, "memory.swap.max"), []byte("0"), 0o644)
	return filepath.Join(dir, "cgroup.procs")
}

// For real: a child in a cgroup with a 64 MiB memory limit takes memory
// until the out-of-memory killer ends it; Join returns -9 and the cell says
// why.
func TestOutOfMemoryChildIsReported(t *testing.T) {
	procs := memoryCgroup(t, 64<<20)
	rec, _ := inCell(t)
	start := filepath.Join(t.TempDir(), "start")
	p := NewProcess(hogWhenFile, start)
	p.Start()
	if err := os.WriteFile(procs, []byte(strconv.Itoa(p.Pid())), 0o644); err != nil {
		p.Kill()
		p.Join()
		t.Fatalf("moving the child into the cgroup: %v", err)
	}
	os.WriteFile(start, nil, 0o600)
	p.Join(2 * time.Minute) // a guard: it is killed within moments
	if p.IsAlive() {
		p.Kill()
		p.Join()
		t.Fatal("the child was not killed under a 64 MiB limit")
	}
	if p.ExitCode() != -9 {
		t.Fatalf("exit code %v, want -9; stderr %q", p.ExitCode(), rec.text("stderr"))
	}
	rec.waitFor(t, "stderr", fmt.Sprintf("mp: %s (pid %d) was killed by signal 9 (SIGKILL), likely by the out-of-memory killer", p.Name, p.Pid()))
}
