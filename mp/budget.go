package mp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"gomp/mp/shm"
)

// The process budget: how many child processes one kernel may have alive
// at once, counted over its whole tree (its children, pool workers, and
// what those start in turn), so that a cell that starts processes in a
// loop, or children that start children, gets an error from Start instead
// of filling the machine.
//
// The count lives in a directory the kernel makes at its first Start and
// its children find in their environment (budgetDirEnv): one file per
// process that has children, holding how many it has (written by that
// process, under a lock file), and a file with the limit. A process's
// count is its own children, each counted from the Start that launched it
// until its parent reaped it. Counting this way needs no cleanup when a
// process is killed: its file names its pid and start time, and a file
// whose process is gone counts for nothing (its children die with it,
// by their parent-death signal) and is removed by the next count.
//
// The idle children kept ready for the next Starts (warm.go) are not
// counted: a child process keeps at most one, and the kernel's session at
// most half the limit (and at most 32).
const (
	// MaxProcessesEnv sets the limit for a kernel (its kernelspec's env
	// block); mp.SetMaxProcesses changes it from a cell.
	MaxProcessesEnv = "GOMP_MAX_PROCESSES"
	// DefaultMaxProcesses is the limit where MaxProcessesEnv is not set.
	DefaultMaxProcesses = 64

	budgetDirEnv = "GOMP_MP_BUDGET" // the budget directory, for children
	budgetLock   = "lock"
	budgetMax    = "max"
)

// ErrTooManyProcesses is the error a Start (or a Pool's worker start)
// fails with when the kernel has as many live processes as it may.
var ErrTooManyProcesses = errors.New("too many processes")

type procBudget struct {
	mu   sync.Mutex
	dir  string   // "" until first use
	lock *os.File // budgetLock, open
	held int      // live children this process launched (its file says so)
	self string   // this process's file content prefix: its start time
}

var budget procBudget

// budgetDirPrefix starts the name of a budget directory, followed by the
// pid of the process that made it (so a dead one's is known as stale).
const budgetDirPrefix = "gomp-procs-"

// openLocked finds or makes the budget directory: a child's is its
// kernel's (from the environment), the kernel's own is made at first use
// with the limit from MaxProcessesEnv.
func (b *procBudget) openLocked() error {
	if b.dir != "" {
		return nil
	}
	dir := os.Getenv(budgetDirEnv)
	if dir == "" || !selfIdentity().child {
		// A killed kernel leaves its directory: remove those first.
		shm.RemoveStaleDirs(os.TempDir(), budgetDirPrefix)
		var err error
		dir, err = os.MkdirTemp("", fmt.Sprintf("%s%d-", budgetDirPrefix, os.Getpid()))
		if err != nil {
			return fmt.Errorf("making the process budget's directory: %w", err)
		}
		limit := strconv.Itoa(initialMaxProcesses())
		if err := os.WriteFile(filepath.Join(dir, budgetMax), []byte(limit), 0o600); err != nil {
			os.RemoveAll(dir)
			return fmt.Errorf("writing the process limit: %w", err)
		}
	}
	lock, err := os.OpenFile(filepath.Join(dir, budgetLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening the process budget's lock: %w", err)
	}
	b.dir, b.lock = dir, lock
	b.self = startTime(os.Getpid())
	return nil
}

// initialMaxProcesses is the limit a kernel starts with.
func initialMaxProcesses() int {
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv(MaxProcessesEnv))); err == nil && n > 0 {
		return n
	}
	return DefaultMaxProcesses
}

// locked runs f with the budget directory open and its lock file held,
// with b.mu held too (it orders this process's own goroutines).
func (b *procBudget) locked(f func() error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.openLocked(); err != nil {
		return err
	}
	if err := flock(b.lock, syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking the process budget: %w", err)
	}
	defer flock(b.lock, syscall.LOCK_UN)
	return f()
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// acquire counts one more live child of this process, or fails with
// ErrTooManyProcesses when the tree has its limit.
func (b *procBudget) acquire() error {
	return b.locked(func() error {
		limit := b.limitLocked()
		if live := b.liveLocked(); live >= limit {
			return fmt.Errorf("%w: this kernel has %d live child processes (pool workers and their children included), its limit; Join or Terminate some first, or raise the limit with mp.SetMaxProcesses(n) or %s in the kernelspec's env",
				ErrTooManyProcesses, live, MaxProcessesEnv)
		}
		b.held++
		return b.writeSelfLocked()
	})
}

// release counts one live child fewer (reaped, or its launch failed).
func (b *procBudget) release() {
	_ = b.locked(func() error {
		if b.held > 0 {
			b.held--
		}
		return b.writeSelfLocked()
	})
}

func (b *procBudget) writeSelfLocked() error {
	file := filepath.Join(b.dir, strconv.Itoa(os.Getpid()))
	if b.held == 0 {
		if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	// Write then rename: a reader never sees half a file.
	tmp := file + ".new"
	if err := os.WriteFile(tmp, []byte(b.self+" "+strconv.Itoa(b.held)), 0o600); err != nil {
		return fmt.Errorf("writing the process count: %w", err)
	}
	return os.Rename(tmp, file)
}

// liveLocked adds up the counts of the tree's processes, removing the
// files of processes that are gone.
func (b *procBudget) liveLocked() int {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return b.held
	}
	live := b.held
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		file := filepath.Join(b.dir, e.Name())
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		started, count, _ := strings.Cut(string(data), " ")
		n, err := strconv.Atoi(count)
		if err != nil || started == "" || startTime(pid) != started {
			os.Remove(file) // its process is gone (or the pid is another's now)
			continue
		}
		live += n
	}
	return live
}

func (b *procBudget) limitLocked() int {
	data, err := os.ReadFile(filepath.Join(b.dir, budgetMax))
	if err != nil {
		return initialMaxProcesses()
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || n < 1 {
		return initialMaxProcesses()
	}
	return n
}

// remove deletes the kernel's budget directory (at Shutdown: its children
// are gone); a child leaves its kernel's alone.
func (b *procBudget) remove() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		return
	}
	b.lock.Close()
	if !selfIdentity().child {
		os.RemoveAll(b.dir)
	}
	b.dir, b.lock, b.held = "", nil, 0
}

// env is the environment entry that gives a child this tree's budget
// (none if the directory cannot be made: Start then fails on it).
func (b *procBudget) env() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.openLocked() != nil {
		return nil
	}
	return []string{budgetDirEnv + "=" + b.dir}
}

// startTime is a process's start time (field 22 of /proc/PID/stat), which
// tells it from a later process given the same pid; "" when it is gone.
func startTime(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(data)
	// pid (comm) state ppid ...: comm may hold spaces and parentheses.
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 20 || fields[0] == "Z" {
		return ""
	}
	return fields[19]
}

// SetMaxProcesses sets how many child processes the kernel may have alive
// at once, counted over all its processes (children, pool workers, their
// children), from any of them; a Start past it fails with
// ErrTooManyProcesses. The limit starts at DefaultMaxProcesses (64), or
// what GOMP_MAX_PROCESSES says in the kernel's environment. Processes
// already running are not stopped by a lower limit.
func SetMaxProcesses(n int) {
	if n < 1 {
		misuse("SetMaxProcesses", "the limit must be at least 1, not %d", n)
	}
	err := budget.locked(func() error {
		file := filepath.Join(budget.dir, budgetMax)
		if err := os.WriteFile(file+".new", []byte(strconv.Itoa(n)), 0o600); err != nil {
			return err
		}
		return os.Rename(file+".new", file)
	})
	if err != nil {
		panic(fmt.Errorf("mp: SetMaxProcesses: %w", err))
	}
}

// MaxProcesses is the kernel's limit of live child processes (see
// SetMaxProcesses).
func MaxProcesses() int {
	budget.mu.Lock()
	opened := budget.dir != ""
	budget.mu.Unlock()
	if !opened && !(selfIdentity().child && os.Getenv(budgetDirEnv) != "") {
		// A kernel that started nothing yet: the limit it starts with.
		return initialMaxProcesses()
	}
	n := 0
	if err := budget.locked(func() error { n = budget.limitLocked(); return nil }); err != nil {
		return initialMaxProcesses()
	}
	return n
}
