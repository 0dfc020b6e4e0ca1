package remote

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
)

// started is a session process just started: its channel and the read end
// of its stderr.
type started struct {
	proc   *os.Process
	conn   net.Conn
	stderr *os.File
}

// startProcess starts argv as a session process, its channel on SessionFD.
//
// It gets its own process group: Jupyter interrupts a kernel by sending
// SIGINT to the kernel's group, and a cell must be able neither to ignore
// that (signal.Ignore) nor to die of it (signal.Reset); interrupts reach the
// session as frames instead. It dies with the kernel, even a SIGKILLed one
// (PDEATHSIG), and its stdout is the kernel's, its stdin /dev/null.
func startProcess(argv, env []string) (*started, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("making the session channel: %w", err)
	}
	mine := os.NewFile(uintptr(fds[0]), "gomp-session")
	theirs := os.NewFile(uintptr(fds[1]), "gomp-session")
	defer theirs.Close()
	c, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		theirs.Close()
		return nil, fmt.Errorf("making the session channel: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("making the session's stderr pipe: %w", err)
	}
	defer errW.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		c.Close()
		errR.Close()
		return nil, fmt.Errorf("opening %s for the session's stdin: %w", os.DevNull, err)
	}
	defer null.Close()
	attr := &os.ProcAttr{
		Env:   env,
		Files: []*os.File{null, os.Stdout, errW, theirs},
		Sys: &syscall.SysProcAttr{
			Setpgid:   true,
			Pdeathsig: syscall.SIGKILL,
		},
	}
	proc, err := startOnSpawnerThread(argv[0], argv, attr)
	if err != nil {
		c.Close()
		errR.Close()
		return nil, fmt.Errorf("starting the session process: %w", err)
	}
	return &started{proc: proc, conn: c, stderr: errR}, nil
}

// Linux sends the parent-death signal when the thread that forked the child
// exits, not the process, and Go may end a thread whose goroutine exited
// while locked to it. So every session is started from one goroutine locked
// to a thread that never exits; it lives as long as the process.
var spawner struct {
	once     sync.Once
	requests chan spawnRequest
}

type spawnRequest struct {
	argv  []string
	attr  *os.ProcAttr
	reply chan spawnResult
}

type spawnResult struct {
	proc *os.Process
	err  error
}

func startOnSpawnerThread(exe string, argv []string, attr *os.ProcAttr) (*os.Process, error) {
	spawner.once.Do(func() {
		spawner.requests = make(chan spawnRequest)
		go func() {
			runtime.LockOSThread() // never unlocked: see spawner
			for r := range spawner.requests {
				p, err := os.StartProcess(r.argv[0], r.argv, r.attr)
				r.reply <- spawnResult{p, err}
			}
		}()
	})
	r := spawnRequest{argv: append([]string{exe}, argv[1:]...), attr: attr, reply: make(chan spawnResult, 1)}
	spawner.requests <- r
	res := <-r.reply
	return res.proc, res.err
}
