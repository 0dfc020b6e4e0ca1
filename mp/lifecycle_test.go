package mp

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gomp/mp/shm"
)

// runStandInKernel is the test binary as a kernel that a test kills: it
// starts a child with two grandchildren, prints all their pids, and waits
// to be killed.
func runStandInKernel() int {
	h := &testHost{session: "stand-in kernel"}
	SetHost(h)
	p := NewProcess(nestedSleepers)
	p.Start() // no cell: the child's output is this process's stdout
	fmt.Printf("region %s\n", regionDir())
	time.Sleep(time.Hour)
	return 0
}

func TestShutdownLeavesNoProcess(t *testing.T) {
	rec, _ := inCell(t)
	p := NewProcess(nestedSleepers)
	p.Start()
	d := &Process{Target: sleepLong, Daemon: true}
	d.Start()
	rec.waitFor(t, "stdout", "pids ")
	pids := parsePids(t, rec.text("stdout"))
	pids = append(pids, d.Pid())
	dir := regionDir()
	if dir == "" {
		t.Fatal("no shared memory after Start")
	}
	Shutdown()
	for _, pid := range pids {
		if processExists(pid) {
			t.Errorf("process %d is still there after Shutdown", pid)
		}
	}
	if p.ExitCode() != -15 || d.ExitCode() != -15 {
		t.Errorf("exit codes %v %v, want -15", p.ExitCode(), d.ExitCode())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the shared memory's directory %s is still there (%v)", dir, err)
	}
	if n := len(childrenOfThisProcess()); n != 0 {
		t.Errorf("%d children left", n)
	}
}

func TestKilledKernelLeavesNoProcess(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	kernel := exec.Command(exe)
	kernel.Env = append(os.Environ(), kernelModeEnv+"=1")
	out, err := kernel.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	kernel.Stderr = os.Stderr
	if err := kernel.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	var dir string
	var pids []int
	for dir == "" || pids == nil {
		line, err := r.ReadString('\n')
		if err != nil {
			kernel.Process.Kill()
			kernel.Wait()
			t.Fatalf("reading the stand-in kernel's output: %v", err)
		}
		if d, ok := strings.CutPrefix(line, "region "); ok {
			dir = strings.TrimSpace(d)
		} else {
			pids = parsePids(t, line)
		}
	}
	kernel.Process.Kill()
	kernel.Wait()
	for _, pid := range pids {
		waitGone(t, pid)
	}
	// The killed kernel's shared memory is removed by the next kernel's.
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the stand-in kernel's shared memory %q: %v", dir, err)
	}
	shm.RemoveStaleDirs(filepath.Dir(dir), shm.DirPrefix)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the dead kernel's shared memory %s is still there (%v)", dir, err)
	}
}

func parsePids(t *testing.T, out string) []int {
	t.Helper()
	i := strings.Index(out, "pids ")
	if i < 0 {
		t.Fatalf("no pids in %q", out)
	}
	var pids []int
	for f := range strings.FieldsSeq(strings.SplitN(out[i+len("pids "):], "\n", 2)[0]) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("pids %q: %v", out, err)
		}
		pids = append(pids, pid)
	}
	if len(pids) != 3 {
		t.Fatalf("pids %v", pids)
	}
	return pids
}

func regionDir() string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.region == nil {
		return ""
	}
	return rt.region.Dir()
}

// childrenOfThisProcess lists live processes whose parent is this one.
func childrenOfThisProcess() []int {
	entries, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid()) {
			kids = append(kids, pid)
		}
	}
	return kids
}

// settleWarm waits until the idle child's spawn has finished.
// settleWarm waits until the warm pool has an idle child ready. The pool
// refills a moment after a Start (once the started child ended, or 50 ms
// later), so the next child may not be on its way yet when this is called.
func settleWarm() {
	deadline := time.Now().Add(10 * time.Second)
	for {
		rt.warm.mu.Lock()
		w := rt.warm.next
		rt.warm.mu.Unlock()
		if w != nil {
			<-w.ready
			return
		}
		if time.Now().After(deadline) {
			return // the test's own checks then say what is missing
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStartJoinLeavesFdsAndGoroutinesFlat(t *testing.T) {
	n := 200
	if s := os.Getenv("MP_FLAT_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		n = 30
	}
	inCell(t)
	for range 5 { // warm up: the spawner, the shared memory, the warm child
		joined(t, NewProcess(empty))
	}
	quiesce(t)
	fds, goroutines := countFds(t), runtime.NumGoroutine()
	start := time.Now()
	for range n {
		p := joined(t, NewProcess(empty))
		if p.ExitCode() != 0 {
			t.Fatalf("ExitCode = %v", p.ExitCode())
		}
	}
	elapsed := time.Since(start)
	quiesce(t)
	// The last child is reaped, and its goroutines end, just after Join
	// returns.
	deadline := time.Now().Add(10 * time.Second)
	for countFds(t) > fds || runtime.NumGoroutine() > goroutines {
		if time.Now().After(deadline) {
			t.Fatalf("after %d Start/Join: fds %d → %d, goroutines %d → %d", n, fds, countFds(t), goroutines, runtime.NumGoroutine())
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("%d Start/Join: fds %d → %d, goroutines %d → %d, %v per Start+Join (back to back)", n, fds, countFds(t), goroutines, runtime.NumGoroutine(), elapsed/time.Duration(n))
}

// quiesce waits until the only child left is the idle warm one, ready.
func quiesce(t testing.TB) {
	settleWarm()
	deadline := time.Now().Add(10 * time.Second)
	for len(childrenOfThisProcess()) > 1 {
		if time.Now().After(deadline) {
			t.Fatalf("children %v (one is the idle warm child)", childrenOfThisProcess())
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkStartJoin times Start+Join of an empty target handed to a warm
// child (the time the warm child takes to get ready is not counted).
func BenchmarkStartJoin(b *testing.B) {
	rec := newRecorder()
	parentHost.setCell(CellInfo{Output: rec})
	defer parentHost.setCell(CellInfo{})
	joined(b, NewProcess(empty))
	for b.Loop() {
		b.StopTimer()
		quiesce(b)
		time.Sleep(50 * time.Millisecond) // the warm child gets ready
		b.StartTimer()
		p := NewProcess(empty)
		p.Start()
		p.Join()
	}
}

func countFds(t testing.TB) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestWarmChildIsHandedTheNextStart(t *testing.T) {
	rec, _ := inCell(t)
	parentHost.setSession("session v1")
	t.Cleanup(func() { parentHost.setSession("session v1") })
	joined(t, NewProcess(empty)) // leaves an idle child with session v1
	settleWarm()
	idle := warmPid()
	p := joined(t, NewProcess(sessionInfo))
	want := fmt.Sprintf("session=\"session v1\" builds=1 pid=%d\n", p.Pid())
	if got := rec.text("stdout"); got != want || p.Pid() != idle {
		t.Errorf("child %d (idle child was %d) says %q, want %q", p.Pid(), idle, got, want)
	}

	// The session changed: the idle child is sent the new one.
	settleWarm()
	idle = warmPid()
	parentHost.setSession("session v2")
	rec2, _ := inCell(t)
	p = joined(t, NewProcess(sessionInfo))
	want = fmt.Sprintf("session=\"session v2\" builds=2 pid=%d\n", p.Pid())
	if got := rec2.text("stdout"); got != want || p.Pid() != idle {
		t.Errorf("child %d (idle child was %d) says %q, want %q", p.Pid(), idle, got, want)
	}

	// Prewarm sends it ahead of time.
	settleWarm()
	parentHost.setSession("session v3")
	if err := Prewarm(); err != nil {
		t.Fatal(err)
	}
	rec3, _ := inCell(t)
	p = joined(t, NewProcess(sessionInfo))
	if got := rec3.text("stdout"); !strings.HasPrefix(got, "session=\"session v3\" builds=2 ") {
		t.Errorf("child says %q", got)
	}
}

func warmPid() int {
	rt.warm.mu.Lock()
	defer rt.warm.mu.Unlock()
	if w := rt.warm.next; w != nil && w.c != nil {
		return w.c.pid
	}
	return 0
}

func TestSessionThatDoesNotBuildFailsTheProcess(t *testing.T) {
	rec, _ := inCell(t)
	parentHost.setSession("this session does not compile")
	t.Cleanup(func() { parentHost.setSession("session v1") })
	p := joined(t, &Process{Target: empty, Name: "Broken"})
	if p.ExitCode() != 1 {
		t.Errorf("ExitCode = %v, want 1", p.ExitCode())
	}
	if got := rec.text("stderr"); got != "Process Broken:\nrebuilding the notebook's session: the session does not compile\n" {
		t.Errorf("stderr %q", got)
	}
}

func TestDeadIdleChildIsReplaced(t *testing.T) {
	inCell(t)
	joined(t, NewProcess(empty))
	settleWarm()
	idle := warmPid()
	syscall.Kill(idle, syscall.SIGKILL)
	// Its reaping, not /proc, tells that it is dead: a process whose main
	// thread is a zombie may still be closing its files.
	<-rt.warm.next.c.exited
	p := joined(t, NewProcess(empty))
	if p.ExitCode() != 0 || p.Pid() == idle {
		t.Errorf("pid %d (dead idle child %d), ExitCode %v", p.Pid(), idle, p.ExitCode())
	}
}
