package mp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// RunChild is the child process's side of mp: main calls it for the hidden
// `gomp child` command and exits with its result.
//
// The child waits on its bootstrap channel (fd 3). A session makes it
// build its interpreter with newHost (a warm child does that before any
// Start); a start order makes it this Process: it sets the globals it was
// sent, calls the target with the arguments, waits for its own non-daemon
// children (terminating its daemon ones), and returns the exit code: 0; 1
// after a panic, whose traceback it prints to stderr as
//
//	Process Worker 1:
//	panic: ...
//	<traceback>
//
// and n after os.Exit(n). A child whose parent discards it while idle
// returns 0 without a word.
func RunChild(newHost func(*Snapshot) (Host, error)) int {
	if !parentStillThere() {
		return 1 // the parent died before the parent-death signal was armed
	}
	syscall.CloseOnExec(bootFD) // the child's own children get theirs
	syscall.CloseOnExec(poolFD)
	boot := os.NewFile(bootFD, "mp-bootstrap")
	defer boot.Close()
	in := newBootReceiver(boot)

	var host Host
	var hostErr error = errors.New("no session was sent before the start order")
	for {
		m, err := in.receive()
		if errors.Is(err, io.EOF) {
			return 0 // discarded while idle
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "mp: child %d: reading the bootstrap channel: %v\n", os.Getpid(), err)
			return 1
		}
		if m.Session != nil {
			host = nil // let the old interpreter go before building the new one
			host, hostErr = newHost(m.Session.snapshot())
			boot.Write(readyReport) // a failure shows at the start order
			if !in.pending() {
				// Idle from now on: give back what building took, so that a
				// warm child costs little memory while it waits.
				debug.FreeOSMemory()
			}
		}
		if m.Start != nil {
			code := runStart(host, hostErr, m.Start)
			reportExit(boot, code)
			return code
		}
	}
}

// parentStillThere compares the parent pid the spawner passed with the
// actual parent.
func parentStillThere() bool {
	for _, a := range os.Args {
		if v, ok := strings.CutPrefix(a, "--parent="); ok {
			pid, err := strconv.Atoi(v)
			return err == nil && pid == os.Getppid()
		}
	}
	return true
}

// runStart becomes the Process of the order and runs its target.
func runStart(host Host, hostErr error, o *startOrder) int {
	becomeChild(o)
	if host == nil {
		if hostErr == nil {
			hostErr = errors.New("the session builder returned no interpreter")
		}
		return failed(fmt.Errorf("rebuilding the notebook's session: %w", hostErr))
	}
	SetHost(host)
	if globals, err := decodeValues(host, o.Globals); err == nil && len(globals) == len(o.GlobalNames) {
		for i, v := range globals {
			if v.IsValid() {
				// A global that cannot be set keeps its zero value, as
				// one that could not be copied does.
				_ = host.SetGlobal(o.GlobalNames[i], v)
			}
		}
	}
	letGoOfReceivedEnds() // ends in globals only: usable, not held here
	if o.Pool != nil {
		code := runPoolWorker(host, o.Pool)
		finishChildren()
		return code
	}
	closePoolChannel()
	target := Target{Func: o.Func}
	if o.Recv != nil {
		recv, err := decodeValues(host, o.Recv)
		if err != nil || len(recv) != 1 {
			return failed(fmt.Errorf("copying the target's receiver: %v", err))
		}
		target.Recv = recv[0]
	}
	args, err := decodeValues(host, o.Args)
	if err != nil {
		return failed(fmt.Errorf("copying the arguments: %w", err))
	}
	code := 0
	switch err := host.Call(target, args).(type) {
	case nil:
	case *ExitRequest:
		code = err.Code
	case *TargetPanic:
		printPanic(err)
		code = 1
	default:
		code = failed(err)
	}
	finishChildren()
	return code
}

// becomeChild takes the identity of the order.
func becomeChild(o *startOrder) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.self = identity{
		child:      true,
		name:       o.Name,
		path:       o.Identity,
		daemon:     o.Daemon,
		parentName: o.ParentName,
		parentPid:  o.ParentPid,
	}
	rt.shmDir = o.Shm
	rt.current, rt.parent = nil, nil
}

// printPanic writes a target's panic to stderr, as Python prints a child's
// uncaught exception under "Process <name>:".
func printPanic(p *TargetPanic) {
	var b strings.Builder
	fmt.Fprintf(&b, "Process %s:\npanic: %s\n", CurrentProcess().Name, stringOf(p.Value))
	if len(p.Traceback) > 0 {
		b.WriteString("\n")
	}
	for _, line := range p.Traceback {
		b.WriteString(line)
		b.WriteString("\n")
	}
	os.Stderr.WriteString(b.String())
}

// failed reports an error that kept the target from running (or ending
// normally), and is exit code 1.
func failed(err error) int {
	fmt.Fprintf(os.Stderr, "Process %s:\n%v\n", CurrentProcess().Name, err)
	return 1
}

// reportExit is the child's last act: it lets go of its stdout and stderr
// (so that the parent's forwarders reach EOF now, not after the process is
// torn down) and tells the parent its exit code.
func reportExit(boot *os.File, code int) {
	if devNull, err := syscall.Open(os.DevNull, syscall.O_WRONLY|syscall.O_CLOEXEC, 0); err == nil {
		syscall.Dup3(devNull, 1, 0)
		syscall.Dup3(devNull, 2, 0)
		syscall.Close(devNull)
	}
	boot.Write(encodeExitReport(code))
}
