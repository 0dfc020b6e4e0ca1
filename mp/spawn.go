package mp

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
)

// executable is the program a child process runs: this binary, whose main
// calls RunChild for the child command. Tests run their own binary instead.
var executable = os.Executable

// childEnv is added to a child's environment (tests mark their children).
var childEnv []string

// childCommand is the hidden subcommand of the gomp binary that runs a
// child (main.go dispatches it to RunChild).
const childCommand = "child"

// bootFD is the child's end of its bootstrap channel (ExtraFiles[0]).
const bootFD = 3

// spawnChild starts a child process that waits on its bootstrap channel
// for a session and a start order. With pipes, its stdout and stderr are
// pipes this process reads (the kernel forwards them to a cell); without,
// the child writes to this process's own stdout and stderr (a child's
// children write straight to where the child writes).
func spawnChild(pipes bool) (*childProc, error) {
	exe, err := executable()
	if err != nil {
		return nil, fmt.Errorf("finding the gomp binary to run a child: %w", err)
	}
	boot, childBoot, err := bootSocketPair()
	if err != nil {
		return nil, err
	}
	defer childBoot.Close()
	// Pool channel (fd 4): a Pool's tasks and results; see poolchannel.go.
	tasks, childTasks, err := poolSocketPair()
	if err != nil {
		boot.Close()
		return nil, err
	}
	defer childTasks.Close()
	stdin, err := os.Open(os.DevNull) // as Python's children: stdin is /dev/null
	if err != nil {
		boot.Close()
		tasks.Close()
		return nil, fmt.Errorf("opening %s for a child's stdin: %w", os.DevNull, err)
	}
	defer stdin.Close()

	c := newChildProc(newBootSender(boot))
	c.tasks = tasks
	stdout, stderr := os.Stdout, os.Stderr
	if pipes {
		var outW, errW *os.File
		if c.stdout, outW, err = os.Pipe(); err != nil {
			boot.Close()
			tasks.Close()
			return nil, fmt.Errorf("making a child's stdout pipe: %w", err)
		}
		defer outW.Close()
		if c.stderr, errW, err = os.Pipe(); err != nil {
			boot.Close()
			tasks.Close()
			c.stdout.Close()
			return nil, fmt.Errorf("making a child's stderr pipe: %w", err)
		}
		defer errW.Close()
		stdout, stderr = outW, errW
	}

	attr := &os.ProcAttr{
		Env:   append(append(os.Environ(), childEnv...), budget.env()...),
		Files: []*os.File{stdin, stdout, stderr, childBoot, childTasks},
		Sys: &syscall.SysProcAttr{
			// Its own process group: Jupyter's SIGINT to the kernel's group
			// must not reach children (an interrupt stops the interrupted
			// cell's children, by SIGTERM, and no others).
			Setpgid: true,
			// Dies with its parent, even a SIGKILLed one. The signal comes
			// when the forking *thread* ends, hence the spawner thread.
			Pdeathsig: syscall.SIGKILL,
		},
	}
	args := []string{exe, childCommand, "--parent=" + strconv.Itoa(os.Getpid())}
	proc, err := startOnSpawnerThread(exe, args, attr)
	if err != nil {
		c.closeFiles()
		return nil, fmt.Errorf("starting a child process: %w", err)
	}
	c.proc, c.pid = proc, proc.Pid
	go c.reap()
	return c, nil
}

// bootSocketPair makes the bootstrap channel: the parent's end is
// non-blocking (its writes take deadlines), the child's is its fd 3.
func bootSocketPair() (parent, child *os.File, err error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("making a child's bootstrap socket: %w", err)
	}
	if err := syscall.SetNonblock(fds[0], true); err != nil {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return nil, nil, fmt.Errorf("making a child's bootstrap socket: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "mp-bootstrap"), os.NewFile(uintptr(fds[1]), "mp-bootstrap"), nil
}

// The spawner is one goroutine locked to its OS thread that starts every
// child. Linux sends a child its parent-death signal when the thread that
// forked it exits, not the process; Go may end a thread whose goroutine
// exited while locked to it, and any goroutine calling Start could be such
// a one. The spawner's thread never exits, so a child dies with this
// process and not before. The spawner lives as long as the process: its
// end is the process's end.
var spawner struct {
	once     sync.Once
	requests chan spawnRequest
}

type spawnRequest struct {
	exe   string
	args  []string
	attr  *os.ProcAttr
	reply chan spawnResult
}

type spawnResult struct {
	proc *os.Process
	err  error
}

func startOnSpawnerThread(exe string, args []string, attr *os.ProcAttr) (*os.Process, error) {
	spawner.once.Do(func() {
		spawner.requests = make(chan spawnRequest)
		go runSpawner(spawner.requests)
	})
	req := spawnRequest{exe: exe, args: args, attr: attr, reply: make(chan spawnResult, 1)}
	spawner.requests <- req
	r := <-req.reply
	return r.proc, r.err
}

func runSpawner(requests <-chan spawnRequest) {
	runtime.LockOSThread() // never unlocked: see spawner
	for r := range requests {
		proc, err := os.StartProcess(r.exe, r.args, r.attr)
		r.reply <- spawnResult{proc, err}
	}
}
