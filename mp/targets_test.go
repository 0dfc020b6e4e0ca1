package mp

import (
	"fmt"
	"maps"
	"os"
	"strings"
	"time"
)

// The functions children of the tests run, by name (see testHost.Identify).
var testTargets map[string]any

func init() {
	testTargets = map[string]any{
		"empty":          empty,
		"hello":          hello,
		"whoami":         whoami,
		"panicky":        panicky,
		"exitWith":       exitWith,
		"realExit":       realExit,
		"sleepLong":      sleepLong,
		"printMany":      printMany,
		"halfLine":       halfLine,
		"splitRune":      splitRune,
		"printWhenFile":  printWhenFile,
		"showArgs":       showArgs,
		"showGreeting":   showGreeting,
		"nested":         nested,
		"nestedSleepers": nestedSleepers,
		"leaveChildren":  leaveChildren,
		"startAsDaemon":  startAsDaemon,
		"sessionInfo":    sessionInfo,
		// manager_test.go
		"managerCount":     managerCount,
		"managerEcho":      managerEcho,
		"managerHoldLock":  managerHoldLock,
		"managerServe":     managerServe,
		"managerRemote":    managerRemote,
		"managerFromChild": managerFromChild,
	}
	for name, f := range queueTargets { // queue_targets_test.go
		testTargets[name] = f
	}
	maps.Copy(testTargets, poolTargets)
	maps.Copy(testTargets, budgetTargets) // budget_test.go
	maps.Copy(testTargets, killTargets)   // killreport_test.go
	maps.Copy(testTargets, cgroupTargets) // cgroup_test.go
}

// exitPanic is os.Exit(n) as the fake host's targets call it (eval's
// cells do the same: os.Exit in a cell panics, and Call reports it).
type exitPanic int

// greeting is a global variable of the "session", copied to children.
var greeting string

type point struct{ X, Y int }

// countdown is a type with a Run method: a Target of its own.
type countdown struct{ N int }

func (c countdown) Run() {
	var parts []string
	for i := c.N; i > 0; i-- {
		parts = append(parts, fmt.Sprint(i))
	}
	fmt.Println("countdown", strings.Join(parts, " "))
}

func empty() {}

func hello() {
	fmt.Printf("hello from %s pid=%d ppid=%d\n", CurrentProcess().Name, os.Getpid(), os.Getppid())
}

func whoami() {
	me, parent := CurrentProcess(), ParentProcess()
	fmt.Printf("name=%s pid=%d daemon=%v parent=%s parentpid=%d ppid=%d parentalive=%v\n",
		me.Name, me.Pid(), me.Daemon, parent.Name, parent.Pid(), os.Getppid(), parent.IsAlive())
}

func panicky() { panic("boom") }

func exitWith(n int) { panic(exitPanic(n)) }

func realExit(n int) { os.Exit(n) }

func sleepLong() { time.Sleep(time.Hour) }

func printMany(n int) {
	for i := range n {
		fmt.Printf("out %d\n", i)
		fmt.Fprintf(os.Stderr, "err %d\n", i)
	}
}

// halfLine writes a line without its end and waits to be stopped.
func halfLine() {
	os.Stdout.WriteString("partial")
	time.Sleep(time.Hour)
}

// splitRune writes "é" in two writes, split inside the character.
func splitRune() {
	os.Stdout.Write([]byte("caf\xc3"))
	time.Sleep(10 * time.Millisecond)
	os.Stdout.Write([]byte("\xa9\n"))
}

// printWhenFile waits until path exists, then prints.
func printWhenFile(path string) {
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	fmt.Println("late line")
}

func showArgs(n int, s string, xs []int, p point, m map[string]int, f float64) {
	fmt.Printf("args %d %q %v %+v %v %v\n", n, s, xs, p, m, f)
}

func showGreeting() { fmt.Printf("greeting=%q\n", greeting) }

// nested starts a grandchild and joins it.
func nested() {
	p := NewProcess(hello)
	p.Start()
	fmt.Printf("child %s pid=%d started %s pid=%d\n", CurrentProcess().Name, os.Getpid(), p.Name, p.Pid())
	p.Join()
	fmt.Printf("grandchild exit=%v\n", p.ExitCode())
}

// nestedSleepers starts a daemon and a non-daemon grandchild that sleep,
// prints their pids, and sleeps.
func nestedSleepers() {
	d := &Process{Target: sleepLong, Daemon: true}
	d.Start()
	n := NewProcess(sleepLong)
	n.Start()
	fmt.Printf("pids %d %d %d\n", os.Getpid(), d.Pid(), n.Pid())
	time.Sleep(time.Hour)
}

// leaveChildren starts a daemon grandchild that sleeps and a non-daemon
// one that prints, and returns without joining either: at exit the child
// terminates the first and waits for the second, as Python's do.
func leaveChildren() {
	d := &Process{Target: sleepLong, Daemon: true}
	d.Start()
	n := NewProcess(hello)
	n.Start()
	fmt.Printf("daemon pid %d\n", d.Pid())
}

// startAsDaemon tries to start a process from a daemon process.
func startAsDaemon() {
	defer func() { fmt.Println("refused:", recover()) }()
	NewProcess(empty).Start()
}

// sessionInfo tells which session the child's host was built from, and
// how many it built.
func sessionInfo() {
	session := ""
	if h, ok := currentHost().(*testHost); ok {
		session = h.session
	}
	fmt.Printf("session=%q builds=%d pid=%d\n", session, childBuilds, os.Getpid())
}
