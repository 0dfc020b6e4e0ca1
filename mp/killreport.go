package mp

import (
	"fmt"
	"os"
	"syscall"
)

// A child that dies of a signal this process did not send was killed from
// outside: by the kernel's out-of-memory killer or a cgroup's memory limit
// (SIGKILL), by a crash (SIGSEGV), by someone's kill. Its Join returns as
// for any end, and its exit code is minus the signal, as in Python; the
// cell that started it also gets a line on stderr that says what happened,
// since an exit code of -9 alone tells a student nothing.

// foreignSignalNoteLocked is that line for a child that ended with code,
// or "" when it ended otherwise (exited, or by a signal from this
// process). c.mu is held.
func (c *childProc) foreignSignalNoteLocked(code ExitCode) string {
	if code >= 0 || !code.Ended() {
		return ""
	}
	sig := syscall.Signal(-int(code))
	sent, begun, name := c.sent&(1<<uint(sig)) != 0, c.begun, c.name
	if sent || !begun {
		return ""
	}
	return fmt.Sprintf("mp: %s (pid %d) was killed by signal %d (%s), %s\n", name, c.pid, int(sig), signalName(sig), signalMeaning(sig))
}

// writeNote puts a note on the stderr of the cell that started the child.
func (c *childProc) writeNote(note string) {
	if c.out != nil {
		c.out.Stream("stderr", note)
		return
	}
	// A child's child writes where the child writes: its stderr reaches
	// the cell.
	os.Stderr.WriteString(note)
}

func signalName(sig syscall.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGKILL: "SIGKILL", syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT",
		syscall.SIGHUP: "SIGHUP", syscall.SIGQUIT: "SIGQUIT", syscall.SIGABRT: "SIGABRT",
		syscall.SIGSEGV: "SIGSEGV", syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE",
		syscall.SIGILL: "SIGILL", syscall.SIGPIPE: "SIGPIPE", syscall.SIGXCPU: "SIGXCPU",
		syscall.SIGXFSZ: "SIGXFSZ", syscall.SIGUSR1: "SIGUSR1", syscall.SIGUSR2: "SIGUSR2",
	}
	if n, ok := names[sig]; ok {
		return n
	}
	return sig.String()
}

// signalMeaning is what a signal from outside most likely means.
func signalMeaning(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		limit := ""
		if l := CgroupLimits(); l.MemoryMax >= 0 {
			limit = fmt.Sprintf(" (this kernel's memory limit is %s)", formatBytes(l.MemoryMax))
		}
		return "likely by the out-of-memory killer or a memory limit" + limit + ": use less memory per process, or fewer processes"
	case syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGILL, syscall.SIGFPE, syscall.SIGABRT:
		return "a crash of the process itself"
	case syscall.SIGXCPU:
		return "it used up its CPU time limit (ulimit -t)"
	case syscall.SIGXFSZ:
		return "it wrote past the file size limit (ulimit -f)"
	}
	return "sent by another program"
}
