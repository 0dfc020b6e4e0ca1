package mp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"time"

	"gomp/mp/shm"
)

// rt is this process's mp runtime: who this process is, the interpreter
// it serves, the children it started, its warm child and the kernel's
// shared memory.
var rt runtimeState

type runtimeState struct {
	mu       sync.Mutex
	host     Host
	self     identity
	count    int        // processes numbered so far (Python's _process_counter)
	children []*Process // started, in order, until found ended or joined
	gen      int        // bumped by Shutdown: a Start across it is refused

	region *shm.Region // the kernel's shared memory, once used (shared.go)
	shmDir string      // a child's: where its kernel's shared memory is

	current, parent *Process // what CurrentProcess and ParentProcess return

	warm warmPool
}

// identity is where this process stands in the tree of processes.
type identity struct {
	child      bool   // an mp child process (RunChild)
	name       string // "MainProcess" in the kernel
	path       []int  // Python's _identity: [2 1] for "Process-2:1"
	daemon     bool
	parentName string
	parentPid  int
}

func init() { rt.self.name = "MainProcess" }

// shutdownGrace is how long Shutdown waits after SIGTERM before SIGKILL.
const shutdownGrace = 500 * time.Millisecond

// SetHost connects mp to the interpreter that runs the notebook (eval calls
// it when it creates a session; RunChild, in a child). Later calls replace
// the host.
func SetHost(h Host) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.host = h
}

func currentHost() Host {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.host
}

// requireHost returns the host, or panics: mp needs an interpreter.
func requireHost(op string) Host {
	h := currentHost()
	if h == nil {
		panic(fmt.Errorf("mp: %s: mp runs functions of a gomp notebook, and no notebook session is connected (mp.SetHost)", op))
	}
	return h
}

// cellContext is the running cell's context: blocking calls return when it
// is cancelled (an interrupt).
func cellContext() context.Context {
	if h := currentHost(); h != nil {
		if ctx := h.Cell().Context; ctx != nil {
			return ctx
		}
	}
	return context.Background()
}

func selfIdentity() identity {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.self
}

// nextIdentity numbers a new Process as Python does: this process's
// identity plus the count of processes it has made.
func nextIdentity() []int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.count++
	return append(slices.Clip(rt.self.path), rt.count)
}

func generation() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.gen
}

// register records a started child, unless Shutdown ran since gen.
func register(p *Process, gen int) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.gen != gen {
		return false
	}
	rt.pruneLocked()
	rt.children = append(rt.children, p)
	return true
}

// forget drops a joined or closed Process from the children.
func forget(p *Process) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.children = slices.DeleteFunc(rt.children, func(q *Process) bool { return q == p })
}

// pruneLocked drops ended children, as Python's _cleanup does.
func (r *runtimeState) pruneLocked() {
	r.children = slices.DeleteFunc(r.children, func(p *Process) bool { return !p.handle().alive() })
}

// sharedDir is the directory of the kernel's shared memory, which a child
// is given at Start: the kernel makes it at first use.
func sharedDir() (string, error) {
	r, err := region()
	if err != nil {
		return "", err
	}
	return r.Dir(), nil
}

// Prewarm prepares an idle child for the next Start, with the session as it
// is now (eval may call it after a cell that imported mp or changed the
// session's declarations, so that the next Start finds a child that has
// compiled them). It returns at once; the work goes on in the background.
func Prewarm() error {
	h := currentHost()
	if h == nil {
		return errors.New("mp: no notebook session is connected")
	}
	snap, err := h.Snapshot()
	if err != nil {
		return fmt.Errorf("mp: taking the session's snapshot: %w", err)
	}
	src := newSessionSource(snap)
	rt.warm.fill(rt.warm.currentEpoch(), src, src.digest(), !selfIdentity().child, nil)
	return nil
}

// Shutdown ends every child of this process, daemon or not: SIGTERM, then
// SIGKILL after a short grace; it returns once all are reaped and the
// shared memory's files are removed. eval calls it from
// Session.Close. mp can be used again afterwards (a new session).
func Shutdown() {
	rt.mu.Lock()
	rt.gen++
	children := rt.children
	rt.children = nil
	reg := rt.region
	rt.region = nil
	rt.mu.Unlock()

	rt.warm.empty()
	stopChildren(children, shutdownGrace)
	budget.remove()
	shutdownManagers()
	if reg != nil {
		// Handles made from it may still be referenced by the old session's
		// values: keep the mapping (a few sparse pages), drop the files.
		reg.Remove()
		forgetAllShared()
	}
}

// stopChildren terminates processes together (one grace for all), kills
// the ones still alive after it, and waits until all are reaped.
func stopChildren(ps []*Process, grace time.Duration) {
	for _, p := range ps {
		p.handle().signal(syscall.SIGTERM)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	expired := false
	for _, p := range ps {
		c := p.handle()
		if !expired {
			select {
			case <-c.reaped:
				continue
			case <-t.C:
				expired = true // the grace is over for the rest too
			}
		}
		c.signal(syscall.SIGKILL)
	}
	for _, p := range ps {
		c := p.handle()
		<-c.reaped
		<-c.done
	}
}

// finishChildren is what a child process does when its target has ended,
// as Python's children do at exit: terminate its daemon children, wait
// for the others, and let go of its idle child.
func finishChildren() {
	rt.mu.Lock()
	children := rt.children
	rt.children = nil
	rt.mu.Unlock()

	rt.warm.empty()
	for _, p := range children {
		if p.daemonAtStart() {
			p.handle().signal(syscall.SIGTERM)
		}
	}
	for _, p := range children {
		c := p.handle()
		<-c.done
		<-c.reaped
	}
}
