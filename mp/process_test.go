package mp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target any
		args   []any
		want   ExitCode
	}{
		{"return", empty, nil, 0},
		{"panic", panicky, nil, 1},
		{"os.Exit through the host", exitWith, []any{3}, 3},
		{"os.Exit of the process", realExit, []any{4}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inCell(t)
			p := NewProcess(tc.target, tc.args...)
			if got := p.ExitCode(); got != NotStarted {
				t.Errorf("ExitCode before Start = %v, want %v", got, NotStarted)
			}
			joined(t, p)
			if got := p.ExitCode(); got != tc.want {
				t.Errorf("ExitCode = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPanicPrintsTracebackToStderr(t *testing.T) {
	rec, _ := inCell(t)
	p := joined(t, &Process{Target: panicky, Name: "Worker 1"})
	want := "Process Worker 1:\npanic: boom\n\n  in test target panicky\n"
	if got := rec.text("stderr"); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if got := rec.text("stdout"); got != "" {
		t.Errorf("stdout = %q, want nothing", got)
	}
	if p.ExitCode() != 1 {
		t.Errorf("ExitCode = %v, want 1", p.ExitCode())
	}
}

func TestTerminateAndKill(t *testing.T) {
	for _, tc := range []struct {
		stop func(*Process)
		want ExitCode
	}{
		{(*Process).Terminate, -15},
		{(*Process).Kill, -9},
	} {
		inCell(t)
		p := NewProcess(sleepLong)
		p.Start()
		if !p.IsAlive() {
			t.Fatal("not alive after Start")
		}
		if got := p.ExitCode(); got != Running || got.String() != "running" {
			t.Errorf("ExitCode while running = %v (%d), want running", got, int(got))
		}
		tc.stop(p)
		p.Join()
		if got := p.ExitCode(); got != tc.want {
			t.Errorf("ExitCode = %v, want %v", got, tc.want)
		}
		tc.stop(p) // an ended process: nothing happens
	}
}

func TestJoinTimeout(t *testing.T) {
	inCell(t)
	p := NewProcess(sleepLong)
	p.Start()
	p.Join(10 * time.Millisecond)
	if !p.IsAlive() || p.ExitCode() != Running {
		t.Fatalf("after Join(timeout) of a sleeper: alive=%v exitcode=%v", p.IsAlive(), p.ExitCode())
	}
	p.Terminate()
	p.Join()
	if p.ExitCode() != -15 {
		t.Errorf("ExitCode = %v, want -15", p.ExitCode())
	}
}

func TestJoinReturnsWhenTheCellIsInterrupted(t *testing.T) {
	_, interrupt := inCell(t)
	p := NewProcess(sleepLong)
	p.Start()
	parentHost.setCell(CellInfo{}) // a later cell joins it...
	_, interruptJoiner := inCell(t)
	returned := make(chan struct{})
	go func() {
		p.Join()
		close(returned)
	}()
	interruptJoiner()
	<-returned
	if !p.IsAlive() {
		t.Error("interrupting the joining cell stopped a child of another cell")
	}
	interrupt() // ...and interrupting the starting cell stops it
	parentHost.setCell(CellInfo{})
	p.Join()
	if p.ExitCode() != -15 {
		t.Errorf("ExitCode = %v, want -15", p.ExitCode())
	}
}

func TestInterruptStopsOnlyThatCellsChildren(t *testing.T) {
	_, interrupt1 := inCell(t)
	a := NewProcess(sleepLong)
	a.Start()
	inCell(t)
	b := NewProcess(sleepLong)
	b.Start()
	interrupt1()
	a.Join()
	if a.ExitCode() != -15 {
		t.Errorf("the interrupted cell's child: ExitCode = %v, want -15", a.ExitCode())
	}
	if !b.IsAlive() {
		t.Fatal("the other cell's child was stopped too")
	}
	b.Kill()
	b.Join()
	if b.ExitCode() != -9 {
		t.Errorf("ExitCode = %v, want -9", b.ExitCode())
	}
}

func TestNamesPidsAndParents(t *testing.T) {
	rec, _ := inCell(t)
	p := joined(t, &Process{Target: whoami, Name: "Worker 1", Daemon: true})
	want := fmt.Sprintf("name=Worker 1 pid=%d daemon=true parent=MainProcess parentpid=%d ppid=%d parentalive=true\n",
		p.Pid(), os.Getpid(), os.Getpid())
	if got := rec.text("stdout"); got != want {
		t.Errorf("child says %q, want %q", got, want)
	}
	if p.Pid() == os.Getpid() || p.Pid() <= 0 {
		t.Errorf("child pid %d", p.Pid())
	}

	q := NewProcess(empty)
	if !strings.HasPrefix(q.Name, "Process-") {
		t.Errorf("default name %q", q.Name)
	}
	r := NewProcess(empty)
	if want := fmt.Sprintf("Process-%d", q.ident[0]+1); r.Name != want {
		t.Errorf("the next process is %q, want %q", r.Name, want)
	}
}

func TestCurrentProcessInTheKernel(t *testing.T) {
	me := CurrentProcess()
	if me.Name != "MainProcess" || me.Pid() != os.Getpid() || !me.IsAlive() || me.ExitCode() != Running {
		t.Errorf("CurrentProcess() = %v", me)
	}
	if CurrentProcess() != me {
		t.Error("CurrentProcess is not the same Process each time")
	}
	if p := ParentProcess(); p != nil {
		t.Errorf("ParentProcess() in the kernel = %v, want nil", p)
	}
	if msg := mustPanic(t, me.Start); !strings.Contains(msg, "running process") {
		t.Errorf("Start of the current process: %s", msg)
	}
	if msg := mustPanic(t, func() { me.Join() }); !strings.Contains(msg, "running process") {
		t.Errorf("Join of the current process: %s", msg)
	}
}

func TestNestedProcesses(t *testing.T) {
	rec, _ := inCell(t)
	p := joined(t, NewProcess(nested))
	out := rec.text("stdout")
	var childName, grandName string
	var childPid, grandPid, grandPid2, grandPpid int
	var grandExit string
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("output %q", out)
	}
	fmt.Sscanf(lines[0], "child %s pid=%d started %s pid=%d", &childName, &childPid, &grandName, &grandPid)
	fmt.Sscanf(lines[1], "hello from "+grandName+" pid=%d ppid=%d", &grandPid2, &grandPpid)
	fmt.Sscanf(lines[2], "grandchild exit=%s", &grandExit)
	if childName != p.Name || childPid != p.Pid() {
		t.Errorf("child says it is %s %d, want %s %d", childName, childPid, p.Name, p.Pid())
	}
	if want := p.Name + ":1"; grandName != want {
		t.Errorf("grandchild is %q, want %q", grandName, want)
	}
	if grandPid == 0 || grandPid != grandPid2 || grandPpid != p.Pid() {
		t.Errorf("grandchild pid %d (says %d), its ppid %d, want the child's %d", grandPid, grandPid2, grandPpid, p.Pid())
	}
	if grandExit != "0" {
		t.Errorf("grandchild exit %q", grandExit)
	}
}

func TestChildWaitsForItsNonDaemonChildrenAndStopsItsDaemons(t *testing.T) {
	rec, _ := inCell(t)
	p := joined(t, NewProcess(leaveChildren))
	out := rec.text("stdout")
	var daemonPid int
	fmt.Sscanf(out, "daemon pid %d", &daemonPid)
	if !strings.Contains(out, "hello from "+p.Name+":2") {
		t.Errorf("the non-daemon grandchild's output is missing: %q", out)
	}
	if daemonPid == 0 {
		t.Fatalf("output %q", out)
	}
	waitGone(t, daemonPid)
}

func TestDaemonCannotStartProcesses(t *testing.T) {
	rec, _ := inCell(t)
	joined(t, &Process{Target: startAsDaemon, Daemon: true})
	if got := rec.text("stdout"); !strings.Contains(got, "refused: mp: Start: daemon processes are not allowed to have children") {
		t.Errorf("child says %q", got)
	}
}

func TestArgumentsAndGlobalsAreCopied(t *testing.T) {
	rec, _ := inCell(t)
	greeting = "hola"
	t.Cleanup(func() { greeting = "" })
	joined(t, NewProcess(showArgs, 7, "x y", []int{1, 2}, point{3, 4}, map[string]int{"a": 1}, 2.5))
	joined(t, NewProcess(showGreeting))
	want := "args 7 \"x y\" [1 2] {X:3 Y:4} map[a:1] 2.5\ngreeting=\"hola\"\n"
	if got := rec.text("stdout"); got != want {
		t.Errorf("children say %q, want %q", got, want)
	}
}

func TestValueWithRunMethodAsTarget(t *testing.T) {
	rec, _ := inCell(t)
	joined(t, &Process{Target: countdown{N: 3}})
	if got := rec.text("stdout"); got != "countdown 3 2 1\n" {
		t.Errorf("child says %q", got)
	}
}

func TestRunRunsTheTargetHere(t *testing.T) {
	ran := 0
	add := func(n int) { ran += n }
	(&Process{Target: add, Args: []any{2}}).Run() // a closure is fine here: no child
	if ran != 2 {
		t.Errorf("Run did not call the target: %d", ran)
	}
	if msg := mustPanic(t, NewProcess(panicky).Run); msg != "boom" {
		t.Errorf("Run of a panicking target panics with %q", msg)
	}
	if msg := mustPanic(t, NewProcess(add, "x").Run); !strings.Contains(msg, "argument 1") {
		t.Errorf("Run with a wrong argument: %s", msg)
	}
}

func TestMisuseSaysWhatToDo(t *testing.T) {
	inCell(t)
	started := NewProcess(sleepLong)
	started.Start()
	t.Cleanup(func() { started.Kill(); started.Join() })
	closure := func() {}
	closed := NewProcess(empty)
	closed.Close()
	for _, tc := range []struct {
		name string
		do   func()
		want string
	}{
		{"Start twice", started.Start, "cannot start a process twice; make a new mp.Process"},
		{"Join before Start", func() { NewProcess(empty).Join() }, "can only join a started process: call Start first"},
		{"Terminate before Start", NewProcess(empty).Terminate, "can only terminate a started process"},
		{"Close while running", started.Close, "cannot close a process while it is still running: Join or Terminate it first"},
		{"closure target", NewProcess(closure).Start, "function literal cannot be a process's target"},
		{"no target", (&Process{}).Start, "has no Target"},
		{"wrong argument count", NewProcess(showGreeting, 1).Start, "showGreeting takes 0 arguments, and Args has 1"},
		{"uncopyable argument", NewProcess(printWhenFile, make(chan int)).Start, "argument 1 of printWhenFile cannot be copied to the child: mp: cannot send a value of type chan int: channels cannot be copied"},
		{"two timeouts", func() { started.Join(time.Second, time.Second) }, "at most one timeout"},
		{"use after Close", func() { closed.IsAlive() }, "is closed"},
	} {
		if msg := mustPanic(t, tc.do); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: panic %q, want it to say %q", tc.name, msg, tc.want)
		}
	}
}

func TestActiveChildren(t *testing.T) {
	inCell(t)
	a, b := NewProcess(sleepLong), NewProcess(sleepLong)
	a.Start()
	b.Start()
	active := ActiveChildren()
	if len(active) != 2 || active[0] != a || active[1] != b {
		t.Errorf("ActiveChildren() = %v, want [%v %v]", active, a, b)
	}
	a.Kill()
	a.Join()
	if active := ActiveChildren(); len(active) != 1 || active[0] != b {
		t.Errorf("ActiveChildren() = %v, want [%v]", active, b)
	}
	b.Kill()
	b.Join()
	if active := ActiveChildren(); len(active) != 0 {
		t.Errorf("ActiveChildren() = %v, want none", active)
	}
	if CPUCount() < 1 {
		t.Errorf("CPUCount() = %d", CPUCount())
	}
}

func TestProcessString(t *testing.T) {
	inCell(t)
	p := &Process{Target: empty, Name: "W", Daemon: true}
	if got, want := p.String(), fmt.Sprintf("<Process name='W' parent=%d initial daemon>", os.Getpid()); got != want {
		t.Errorf("%q, want %q", got, want)
	}
	joined(t, p)
	if got, want := p.String(), fmt.Sprintf("<Process name='W' pid=%d parent=%d stopped exitcode=0 daemon>", p.Pid(), os.Getpid()); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestExitCodeString(t *testing.T) {
	for code, want := range map[ExitCode]string{NotStarted: "not started", Running: "running", 0: "0", -15: "-15", 3: "3"} {
		if got := code.String(); got != want {
			t.Errorf("ExitCode(%d).String() = %q, want %q", int(code), got, want)
		}
		if code.Ended() != (code != NotStarted && code != Running) {
			t.Errorf("ExitCode(%d).Ended() = %v", int(code), code.Ended())
		}
	}
}

func TestStartAfterShutdownWorks(t *testing.T) {
	inCell(t)
	joined(t, NewProcess(empty))
	Shutdown()
	if p := joined(t, NewProcess(empty)); p.ExitCode() != 0 {
		t.Errorf("ExitCode = %v", p.ExitCode())
	}
}

// waitGone waits until a process is gone (or a zombie of no process of
// ours), failing after a long deadline.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for processExists(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d is still there", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// processExists reports whether pid is a live process (not a zombie).
func processExists(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", fmt.Sprint(pid), "stat"))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
