package mp

import "strconv"

// ExitCode is how a process ended, as Python's Process.exitcode reports it:
//
//	0    the target returned
//	1    the target panicked (the traceback is on the process's stderr)
//	n    the target called os.Exit(n)
//	-15  the process was stopped by Terminate (SIGTERM); -N for signal N
//	-9   the process was stopped by Kill (SIGKILL)
//
// Where Python says None, ExitCode is one of two values that print as
// words: NotStarted before Start, Running until the process has ended.
//
//	fmt.Println(p.ExitCode()) // "running", later "0"
//	if p.ExitCode() == mp.Running { ... }
type ExitCode int

const (
	// NotStarted is the exit code of a process that was not started yet
	// (Python's None). It prints as "not started".
	NotStarted ExitCode = -1 << 31
	// Running is the exit code of a process that has not ended yet
	// (Python's None). It prints as "running".
	Running ExitCode = NotStarted + 1
)

// String prints the code as a number, or "not started" and "running" for
// the two codes of a process that has not ended.
func (c ExitCode) String() string {
	switch c {
	case NotStarted:
		return "not started"
	case Running:
		return "running"
	}
	return strconv.Itoa(int(c))
}

// Ended reports whether the code is a real exit code: the process ended.
func (c ExitCode) Ended() bool { return c != NotStarted && c != Running }
