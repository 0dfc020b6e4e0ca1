package mp

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process runs a function of the notebook in a child process, as Python's
// multiprocessing.Process: a new OS process with its own interpreter, which
// has every import, type, func, method and const the notebook declared, and
// the global variables' values at Start (copied: see the package
// documentation).
//
//	p := mp.NewProcess(worker, 1, "x")
//	p := &mp.Process{Target: worker, Args: []any{1, "x"}, Name: "Worker 1", Daemon: true}
//
// Target is a top-level function or method value of the notebook (not a
// function literal), or a value of a notebook type with a Run() method: the
// child then calls its Run, Go's form of a Python Process subclass.
type Process struct {
	Target any    // the function the process runs
	Args   []any  // the arguments it gets (copied to the child)
	Name   string // "Process-N" unless set, as Python names processes
	Daemon bool   // terminated when its parent ends (set before Start)

	mu        sync.Mutex
	role      processRole
	ident     []int      // Python's _identity, from NewProcess or Start
	child     *childProc // nil until Start
	daemon    bool       // Daemon at Start
	closed    bool
	parentPid int // for the parent of this process (ParentProcess)
}

type processRole int

const (
	roleChild   processRole = iota // a process this one starts
	roleCurrent                    // this process (CurrentProcess)
	roleParent                     // the process that started this one (ParentProcess)
)

// NewProcess makes a process that will run target(args...) once started.
func NewProcess(target any, args ...any) *Process {
	p := &Process{Target: target, Args: args}
	p.ident = nextIdentity()
	p.Name = defaultName(p.ident)
	return p
}

func defaultName(ident []int) string {
	parts := make([]string, len(ident))
	for i, n := range ident {
		parts[i] = itoa(n)
	}
	return "Process-" + strings.Join(parts, ":")
}

// misuse panics with what went wrong and what to do instead, as Python
// raises for a Process used the wrong way.
func misuse(op, format string, args ...any) {
	panic(fmt.Errorf("mp: "+op+": "+format, args...))
}

// Start starts the process: a child process runs the target with the
// arguments, while the caller goes on. Its output appears under the cell
// that called Start, also after that cell has finished.
func (p *Process) Start() {
	called := time.Now() // for Timeline: Start's own time comes before the child runs
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checkOpen("Start")
	switch {
	case p.role == roleCurrent:
		misuse("Start", "this is the running process (mp.CurrentProcess()), which has started already")
	case p.role == roleParent:
		misuse("Start", "this is the parent process (mp.ParentProcess()), which has started already")
	case p.child != nil:
		misuse("Start", "cannot start a process twice; make a new mp.Process to run %s again", p.Name)
	}
	if self := selfIdentity(); self.daemon {
		misuse("Start", "daemon processes are not allowed to have children (in Python neither): a daemon is ended with its parent and would leave its children orphaned; make %s a non-daemon process to let it start others", self.name)
	}
	h := requireHost("Start")
	gen := generation()
	if p.ident == nil {
		p.ident = nextIdentity()
	}
	if p.Name == "" {
		p.Name = defaultName(p.ident)
	}
	if p.Target == nil {
		misuse("Start", "%s has no Target: give it the function to run, as mp.NewProcess(worker, args...) or &mp.Process{Target: worker}", p.Name)
	}
	target, err := h.Identify(reflect.ValueOf(p.Target))
	if err != nil {
		misuse("Start", "%v", err)
	}
	checkArgCount(p.Target, p.Args, target.Func)

	order, src := p.startOrder(h, target)
	cell := h.Cell()
	ctx := cell.Context
	if ctx == nil {
		ctx = cellContext()
	}
	c, err := launch(ctx, cell.Output, src, order)
	if err != nil {
		panic(fmt.Errorf("mp: Start: %s: %w", p.Name, err))
	}
	p.child, p.daemon = c, p.Daemon
	if !register(p, gen) {
		c.stop(0)
		panic(fmt.Errorf("mp: Start: %s: mp was shut down while the process started", p.Name))
	}
	noteStart(p.Name, c, p.daemon, called)
	if cell.Interrupted != nil {
		go c.watchInterrupt(cell.Interrupted)
	}
}

// startOrder copies what the child needs: the session's globals, the
// target's receiver and the arguments.
func (p *Process) startOrder(h Host, target Target) (*startOrder, *sessionSource) {
	snap, err := h.Snapshot()
	if err != nil {
		panic(fmt.Errorf("mp: Start: taking the session's snapshot: %w", err))
	}
	shmDir, err := sharedDir()
	if err != nil {
		panic(fmt.Errorf("mp: Start: %w", err))
	}
	self := CurrentProcess()
	o := &startOrder{
		Name:       p.Name,
		Identity:   p.ident,
		Daemon:     p.Daemon,
		ParentName: self.Name,
		ParentPid:  os.Getpid(),
		Shm:        shmDir,
		Func:       target.Func,
	}
	names := slices.Sorted(maps.Keys(snap.Globals))
	values := make([]reflect.Value, len(names))
	for i, name := range names {
		values[i] = snap.Globals[name]
	}
	if o.Globals, err = encodeLenient(h, values); err == nil {
		o.GlobalNames = names
	} // else the child's globals keep their zero values, as uncopyable ones do
	if target.Recv.IsValid() {
		if o.Recv, err = encodeStrict(h, []reflect.Value{target.Recv}); err != nil {
			misuse("Start", "the target's receiver cannot be copied to the child: %v", err)
		}
	}
	args := make([]reflect.Value, len(p.Args))
	for i, a := range p.Args {
		args[i] = reflect.ValueOf(a)
	}
	if o.Args, err = encodeStrict(h, args); err != nil {
		// Say which argument: encode them one by one.
		for i, a := range args {
			if err1 := copyable(h, a); err1 != nil {
				misuse("Start", "argument %d of %s cannot be copied to the child: %v", i+1, target.Func, err1)
			}
		}
		misuse("Start", "the arguments of %s cannot be copied to the child: %v", target.Func, err)
	}
	return o, newSessionSource(snap)
}

// checkArgCount refuses arguments a function target cannot take, here
// rather than in the child.
func checkArgCount(target any, args []any, name string) {
	t := reflect.TypeOf(target)
	if t.Kind() != reflect.Func {
		return
	}
	n := t.NumIn()
	switch {
	case t.IsVariadic() && len(args) < n-1:
		misuse("Start", "%s takes at least %d arguments, and Args has %d", name, n-1, len(args))
	case !t.IsVariadic() && len(args) != n:
		misuse("Start", "%s takes %d arguments, and Args has %d", name, n, len(args))
	}
}

// Run runs the target in the calling process and returns when it returns,
// as Python's run(): Start runs it so in the child.
func (p *Process) Run() {
	if p.Target == nil {
		misuse("Run", "%s has no Target to run", p.Name)
	}
	fn := reflect.ValueOf(p.Target)
	if fn.Kind() == reflect.Func {
		fn.Call(callArgs(fn.Type(), p.Args, p.Name))
		return
	}
	// A value with a Run method: only the interpreter can call a method of
	// a notebook type.
	h := requireHost("Run")
	target, err := h.Identify(fn)
	if err != nil {
		misuse("Run", "%v", err)
	}
	args := make([]reflect.Value, len(p.Args))
	for i, a := range p.Args {
		args[i] = reflect.ValueOf(a)
	}
	switch err := h.Call(target, args).(type) {
	case nil:
	case *TargetPanic:
		panic(err.Value)
	default:
		panic(err)
	}
}

// callArgs converts Args to the parameters of a function type.
func callArgs(ft reflect.Type, args []any, name string) []reflect.Value {
	n := ft.NumIn()
	if ft.IsVariadic() && len(args) < n-1 || !ft.IsVariadic() && len(args) != n {
		misuse("Run", "the target of %s takes %d arguments, and Args has %d", name, n, len(args))
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		pt := ft.In(min(i, n-1))
		if ft.IsVariadic() && i >= n-1 {
			pt = pt.Elem()
		}
		v := reflect.ValueOf(a)
		switch {
		case a == nil:
			v = reflect.Zero(pt)
		case v.Type().AssignableTo(pt):
		case v.Type().ConvertibleTo(pt) && v.Kind() != reflect.String && pt.Kind() != reflect.String:
			v = v.Convert(pt)
		default:
			misuse("Run", "argument %d of %s is a %s, and the target wants a %s", i+1, name, v.Type(), pt)
		}
		in[i] = v
	}
	return in
}

// Join waits until the process has ended and its output has reached the
// notebook, or, with a timeout, at most that long (then check IsAlive or
// ExitCode). It also returns when the cell is interrupted.
func (p *Process) Join(timeout ...time.Duration) {
	c := p.started("Join", "can only join a started process: call Start first")
	if len(timeout) > 1 {
		misuse("Join", "give at most one timeout, as p.Join(2 * time.Second)")
	}
	var expired <-chan time.Time
	if len(timeout) == 1 {
		t := time.NewTimer(max(timeout[0], 0))
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-c.done:
		forget(p)
	case <-expired:
	case <-cellContext().Done():
	}
}

// IsAlive reports whether the process has started and not yet ended.
func (p *Process) IsAlive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checkOpen("IsAlive")
	switch p.role {
	case roleCurrent:
		return true
	case roleParent:
		return os.Getppid() == p.parentPid
	}
	return p.child != nil && p.child.alive()
}

// ExitCode is how the process ended: 0, 1 after a panic, n after
// os.Exit(n), -15 after Terminate, -9 after Kill; NotStarted or Running
// (which print as words) until it has ended. See ExitCode.
func (p *Process) ExitCode() ExitCode {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checkOpen("ExitCode")
	switch {
	case p.role != roleChild:
		return Running
	case p.child == nil:
		return NotStarted
	}
	return p.child.code()
}

// Pid is the process's id: 0 before Start.
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.role == roleCurrent:
		return os.Getpid()
	case p.role == roleParent:
		return p.parentPid
	case p.child == nil:
		return 0
	}
	return p.child.pid
}

// Terminate stops the process with SIGTERM (its exit code is -15). Its own
// children are stopped with it. Terminating an ended process does nothing.
func (p *Process) Terminate() {
	p.started("Terminate", "can only terminate a started process").signal(syscall.SIGTERM)
}

// Kill stops the process with SIGKILL (its exit code is -9).
func (p *Process) Kill() {
	p.started("Kill", "can only kill a started process").signal(syscall.SIGKILL)
}

// Close releases the Process; most methods panic afterwards. A process
// that is still running cannot be closed.
func (p *Process) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.role != roleChild {
		misuse("Close", "only a process this one started can be closed")
	}
	if p.child != nil && p.child.alive() {
		misuse("Close", "cannot close a process while it is still running: Join or Terminate it first")
	}
	if !p.closed && p.child != nil {
		defer forget(p)
	}
	p.closed = true
}

// started returns the child of a started process, or panics with what to
// do instead.
func (p *Process) started(op, notStarted string) *childProc {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checkOpen(op)
	switch {
	case p.role == roleCurrent:
		misuse(op, "this is the running process (mp.CurrentProcess()); a process can only %s processes it started", strings.ToLower(op))
	case p.role == roleParent:
		misuse(op, "this is the parent process (mp.ParentProcess()); a process can only %s processes it started", strings.ToLower(op))
	case p.child == nil:
		misuse(op, "%s (%s)", notStarted, p.Name)
	}
	return p.child
}

func (p *Process) checkOpen(op string) {
	if p.closed {
		misuse(op, "%s is closed (Close was called)", p.Name)
	}
}

// handle is the child of a started process.
func (p *Process) handle() *childProc {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.child
}

func (p *Process) daemonAtStart() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.daemon
}

// String describes the process as Python's repr does:
// <Process name='Worker 1' pid=4170 parent=4159 started daemon>.
func (p *Process) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "<Process name='%s'", p.Name)
	switch {
	case p.role == roleCurrent:
		fmt.Fprintf(&b, " pid=%d started", os.Getpid())
	case p.role == roleParent:
		fmt.Fprintf(&b, " pid=%d started", p.parentPid)
	case p.child == nil:
		fmt.Fprintf(&b, " parent=%d initial", os.Getpid())
	case p.child.alive():
		fmt.Fprintf(&b, " pid=%d parent=%d started", p.child.pid, os.Getpid())
	default:
		fmt.Fprintf(&b, " pid=%d parent=%d stopped exitcode=%d", p.child.pid, os.Getpid(), p.child.code())
	}
	if p.Daemon {
		b.WriteString(" daemon")
	}
	b.WriteString(">")
	return b.String()
}
