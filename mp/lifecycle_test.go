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
	// Children are reaped when Shutdown returns; grandchildren die with
	// their parent (PDEATHSIG), a moment later on a loaded machine.
	for _, pid := range pids {
		waitGone(t, pid)
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

// settleWarm waits until the warm pool's builder has ended and its idle
// children have compiled their session. The pool refills a moment after a
// Start (once the started child ended, or 50 ms later), so its builder may
// not be on its way yet when this is called.
func settleWarm() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) { // past it, the test's own checks say what is missing
		rt.warm.mu.Lock()
		settled := !rt.warm.building && len(rt.warm.idle) > 0
		for _, c := range rt.warm.idle {
			settled = settled && c.boot.builtSession(c.boot.sent)
		}
		rt.warm.mu.Unlock()
		if settled {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settleToOne settles the pool, then shrinks it to one idle child, as
// it is after a while without Starts.
func settleToOne(t testing.TB) {
	settleWarm()
	rt.warm.shrink()
	quiesce(t)
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
	settleToOne(t)
	fds, goroutines := countFds(t), runtime.NumGoroutine()
	start := time.Now()
	for range n {
		p := joined(t, NewProcess(empty))
		if p.ExitCode() != 0 {
			t.Fatalf("ExitCode = %v", p.ExitCode())
		}
	}
	elapsed := time.Since(start)
	// The loop grew the pool of idle children (each has its files and a
	// goroutine here); after a while without Starts it is back to one.
	settleToOne(t)
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

// quiesce waits until the only children left are the idle warm ones,
// ready.
func quiesce(t testing.TB) {
	settleWarm()
	deadline := time.Now().Add(10 * time.Second)
	for len(childrenOfThisProcess()) > rt.warm.idleCount() {
		if time.Now().After(deadline) {
			t.Fatalf("children %v (%d idle warm ones)", childrenOfThisProcess(), rt.warm.idleCount())
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
	// (An idle child may have had v1 and v2 before: the pool keeps as
	// many as the Starts of the last second.)
	if got := rec3.text("stdout"); !strings.HasPrefix(got, "session=\"session v3\" builds=") || strings.HasPrefix(got, "session=\"session v3\" builds=1 ") {
		t.Errorf("child says %q", got)
	}
}

// warmPid is the idle child the next Start is handed (the oldest, once
// the pool has settled).
func warmPid() int {
	rt.warm.mu.Lock()
	defer rt.warm.mu.Unlock()
	if len(rt.warm.idle) > 0 {
		return rt.warm.idle[0].pid
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
	rt.warm.mu.Lock()
	c := rt.warm.idle[0]
	rt.warm.mu.Unlock()
	<-c.exited
	p := joined(t, NewProcess(empty))
	if p.ExitCode() != 0 || p.Pid() == idle {
		t.Errorf("pid %d (dead idle child %d), ExitCode %v", p.Pid(), idle, p.ExitCode())
	}
}

// The pool keeps as many idle children as Starts came in one second at
// the most (each compiled once, one at a time), and shrinks to one after a
// while without Starts.
func TestWarmPoolFollowsTheStartRate(t *testing.T) {
	inCell(t)
	joined(t, NewProcess(empty)) // the pool has a child to settle
	settleToOne(t)
	const n = 4
	for range n {
		joined(t, NewProcess(empty))
	}
	settleWarm()
	rt.warm.mu.Lock()
	peak := rt.warm.peak
	rt.warm.mu.Unlock()
	if got := rt.warm.idleCount(); peak < 2 || got != min(peak, warmCap()) {
		t.Errorf("after %d Starts: %d idle children, peak %d of Starts in a second (cap %d)", n, got, peak, warmCap())
	}
	quiesce(t) // every child left is an idle one, ready
	rt.warm.shrink()
	if got := rt.warm.idleCount(); got != 1 {
		t.Errorf("after shrinking: %d idle children", got)
	}
	quiesce(t)
	if kids := childrenOfThisProcess(); len(kids) != 1 {
		t.Errorf("children %v after shrinking", kids)
	}
}

func TestWarmPoolSizePolicy(t *testing.T) {
	now := time.Now()
	p := &warmPool{starts: []time.Time{now.Add(-3 * rateWindow), now.Add(-rateWindow / 2), now}}
	p.forgetOldStartsLocked(now)
	if len(p.starts) != 2 {
		t.Errorf("%d Starts in the window, want 2", len(p.starts))
	}
	for _, c := range []struct{ peak, limit, want int }{{0, 32, 1}, {5, 32, 5}, {50, 32, 32}, {50, 1, 1}} {
		p.peak = c.peak
		if got := p.wantLocked(c.limit); got != c.want {
			t.Errorf("peak %d, limit %d: want %d idle children, got %d", c.peak, c.limit, c.want, got)
		}
	}
	if c := warmCap(); c < 1 || c > maxWarm {
		t.Errorf("warmCap() = %d", c)
	}
}

// A new session with no Start in the last second: the pool keeps one
// idle child, sent the new session, rather than compiling it in each.
func TestWarmPoolShrinksWhenTheSessionChanges(t *testing.T) {
	inCell(t)
	parentHost.setSession("session v1")
	t.Cleanup(func() { parentHost.setSession("session v1") })
	joined(t, NewProcess(empty))
	settleToOne(t)
	for range 3 {
		joined(t, NewProcess(empty))
	}
	settleWarm()
	if n := rt.warm.idleCount(); n < 2 {
		t.Fatalf("%d idle children after 3 Starts", n)
	}
	rt.warm.mu.Lock()
	rt.warm.starts = nil // as if the Starts were more than a second ago
	rt.warm.mu.Unlock()
	parentHost.setSession("session v2")
	if err := Prewarm(); err != nil {
		t.Fatal(err)
	}
	settleWarm()
	quiesce(t)
	if n := rt.warm.idleCount(); n != 1 {
		t.Errorf("%d idle children after the session changed", n)
	}
	rec, _ := inCell(t)
	joined(t, NewProcess(sessionInfo))
	if got := rec.text("stdout"); !strings.HasPrefix(got, `session="session v2"`) {
		t.Errorf("child says %q", got)
	}
}
