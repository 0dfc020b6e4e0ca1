package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// `gomp kernel` refuses, at once and with a clear error, a connection file
// that is /dev/zero or a FIFO no one writes to (read without end, or waited
// on forever, before).
func TestKernelRefusesNonRegularConnectionFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/dev/zero": "a character device", fifo: "a FIFO"} {
		cmd := exec.Command(os.Args[0], "kernel", path)
		cmd.Env = append(os.Environ(), runMainEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("gomp kernel %s: %v, output %q; want an error saying %q", path, err, out, want)
		}
	}
}

// The kernel's log output is a duplicate of stderr, not fd 2 itself, and is
// not inherited by child processes.
func TestKernelLogOutputIsADuplicate(t *testing.T) {
	f, ok := kernelLogOutput().(*os.File)
	if !ok {
		t.Fatal("no duplicate of stderr was made")
	}
	defer f.Close()
	if f.Fd() == uintptr(syscall.Stderr) {
		t.Fatal("the log writes to fd 2 itself")
	}
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFD, 0)
	if errno != 0 || flags&syscall.FD_CLOEXEC == 0 {
		t.Errorf("the duplicate is inherited by children (flags %#x, %v)", flags, errno)
	}
	var a, b syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &a) != nil || syscall.Fstat(syscall.Stderr, &b) != nil || a.Ino != b.Ino || a.Dev != b.Dev {
		t.Error("the duplicate is not the same file as stderr")
	}
}
