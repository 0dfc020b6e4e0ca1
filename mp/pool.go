package mp

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"
)

// Pool is a pool of worker processes that run calls of a function for
// many items in parallel, as Python's multiprocessing.Pool:
//
//	pool := mp.NewPool(2)
//	defer pool.Terminate()
//	fmt.Println(pool.Map(square, []int{1, 2, 3})) // [1 4 9]
//
// The workers are started once, by NewPool, each a child process with
// the notebook's declarations and the global variables' values as they
// were at NewPool; tasks and results stream to them as the pool is used,
// in later cells too. A function declared after NewPool is unknown to its
// workers: make a new Pool to use it.
//
// The function of a call is a top-level function or method value of the
// notebook, as a Process's target. Its arguments and results are copied
// (see the package documentation); a result comes back with its type, so
// Map of a func(int) int returns a []int.
//
// A task that panics makes the call panic when its result is read, with a
// *TaskError that carries the worker's message and traceback; Err and
// Successful let a caller check first. A worker that dies (killed, or
// os.Exit in a task) is replaced; the task it was running fails with a
// TaskError that says so. Interrupting the cell stops a call that waits
// for results: the work it waited for is dropped, and the workers busy
// with it are restarted.
type Pool struct {
	size int
	cfg  poolConfig
	h    Host
	gen  int
	tmpl *startOrder     // the workers' start order, but for Name and Identity
	src  *sessionSource  // the session they rebuild
	out  *switchedOutput // where the workers' output goes: the last caller's cell

	mu       sync.Mutex
	changed  *sync.Cond // the queue, a worker's tasks or the pool's state changed
	state    poolState
	broken   error // set when workers can no longer be started: every task fails with it
	queue    []*chunk
	workers  []*poolWorker
	funcs    map[string]uint32 // function key → number, as the workers know them
	funcDefs [][]byte          // number → poolOpFunc payload
	chunks   uint32            // chunks numbered so far

	running  sync.WaitGroup // the workers' goroutines and the starting of workers
	joinOnce sync.Once
	joined   chan struct{} // closed once every worker has ended (after Close or Terminate)
}

type poolState int

const (
	poolRunning poolState = iota
	poolClosed
	poolTerminated
)

func (s poolState) String() string {
	return [...]string{"RUN", "CLOSE", "TERMINATE"}[s]
}

// PoolOption configures NewPool: Initializer, MaxTasksPerChild.
type PoolOption struct{ apply func(*poolConfig) }

type poolConfig struct {
	init     any
	initArgs []any
	maxTasks int
}

// Initializer makes every worker call f(args...) once when it starts,
// before its first task (Python's initializer and initargs). If it panics,
// the pool is broken: every call fails with the initializer's panic.
func Initializer(f any, args ...any) PoolOption {
	return PoolOption{func(c *poolConfig) { c.init, c.initArgs = f, args }}
}

// MaxTasksPerChild makes a worker exit after n tasks (chunks, as Python
// counts them), to be replaced by a fresh one: memory a task leaks is
// given back. 0, the default, keeps workers for the pool's life.
func MaxTasksPerChild(n int) PoolOption {
	return PoolOption{func(c *poolConfig) { c.maxTasks = max(n, 0) }}
}

// NewPool starts n worker processes (n = 0: mp.CPUCount()).
//
//	pool := mp.NewPool(4, mp.Initializer(setup, "db.sqlite"), mp.MaxTasksPerChild(100))
func NewPool(n int, opts ...PoolOption) *Pool {
	if n < 0 {
		misuse("NewPool", "the number of workers must be at least 1 (or 0 for mp.CPUCount()), not %d", n)
	}
	if n == 0 {
		n = CPUCount()
	}
	h := requireHost("NewPool")
	p := &Pool{size: n, h: h, gen: generation(), out: newSwitchedOutput(), funcs: map[string]uint32{}, joined: make(chan struct{})}
	p.changed = sync.NewCond(&p.mu)
	for _, o := range opts {
		o.apply(&p.cfg)
	}
	p.tmpl, p.src = (&Process{Name: "SpawnPoolWorker", Daemon: true}).startOrder(h, Target{})
	p.tmpl.Pool = &poolStart{MaxTasks: p.cfg.maxTasks}
	if p.cfg.init != nil {
		p.setInitializer()
	}
	cell := h.Cell()
	p.out.set(cell.Output)
	ctx := cell.Context
	if ctx == nil {
		ctx = context.Background()
	}
	// Start the workers together: each costs a child's start-up.
	errs := make(chan error, n)
	for range n {
		go func() { errs <- p.startWorker(ctx) }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		p.Terminate()
		panic(fmt.Errorf("mp: NewPool: %w", first))
	}
	return p
}

// setInitializer puts the initializer into the workers' start order.
func (p *Pool) setInitializer() {
	target, err := p.h.Identify(reflect.ValueOf(p.cfg.init))
	if err != nil {
		misuse("NewPool", "the initializer: %v", err)
	}
	p.tmpl.Pool.Init = target.Func
	if target.Recv.IsValid() {
		if p.tmpl.Pool.InitRecv, err = encodeStrict(p.h, []reflect.Value{target.Recv}); err != nil {
			misuse("NewPool", "the initializer's receiver cannot be copied to the workers: %v", err)
		}
	}
	if p.tmpl.Pool.InitArgs, err = encodeStrict(p.h, valuesOf(p.cfg.initArgs)); err != nil {
		misuse("NewPool", "the initializer's arguments cannot be copied to the workers: %v", err)
	}
}

func valuesOf(args []any) []reflect.Value {
	vs := make([]reflect.Value, len(args))
	for i, a := range args {
		vs[i] = reflect.ValueOf(a)
	}
	return vs
}

// Close stops the pool from taking new calls; the workers exit once the
// calls already made are done. Wait for that with Join.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == poolRunning {
		p.state = poolClosed
		p.changed.Broadcast()
	}
}

// Terminate stops the workers at once (SIGTERM, then SIGKILL after a short
// grace) and returns once they are reaped. Calls still waiting fail with a
// TaskError that says the pool was terminated. Terminating a terminated
// pool does nothing.
func (p *Pool) Terminate() {
	p.mu.Lock()
	if p.state == poolTerminated {
		p.mu.Unlock()
		p.waitEnded()
		return
	}
	p.state = poolTerminated
	queued := p.queue
	p.queue = nil
	var procs []*Process
	for _, w := range p.workers {
		w.stopReason = "was stopped by Pool.Terminate"
		procs = append(procs, w.proc)
	}
	p.changed.Broadcast()
	p.mu.Unlock()

	for _, ch := range queued {
		ch.job.failChunk(ch, &TaskError{Func: ch.job.fname, Message: "the pool was terminated before the task ran", Err: ErrPoolTerminated})
	}
	stopChildren(procs, terminateGrace)
	p.waitEnded()
}

// terminateGrace is how long Terminate waits after SIGTERM before SIGKILL.
const terminateGrace = 500 * time.Millisecond

// Join waits until every worker has exited; call Close or Terminate first.
// Interrupting the cell stops the wait.
func (p *Pool) Join() {
	p.mu.Lock()
	state := p.state
	p.mu.Unlock()
	if state == poolRunning {
		misuse("Pool.Join", "the pool is still running: call Close (to let the workers finish the calls made) or Terminate first")
	}
	select {
	case <-p.endedChan():
	case <-cellContext().Done():
		panic(fmt.Errorf("mp: Pool.Join: interrupted while waiting for the workers to exit"))
	}
}

// endedChan is closed once all the pool's goroutines have ended; it is
// only asked for after Close or Terminate, when they are bound to end.
func (p *Pool) endedChan() <-chan struct{} {
	p.joinOnce.Do(func() {
		go func() {
			p.running.Wait()
			close(p.joined)
		}()
	})
	return p.joined
}

func (p *Pool) waitEnded() { <-p.endedChan() }

// Size is the number of workers.
func (p *Pool) Size() int { return p.size }

// String describes the pool as Python's repr does: <mp.Pool state=RUN pool_size=2>.
func (p *Pool) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("<mp.Pool state=%s pool_size=%d>", p.state, p.size)
}

// checkRunning panics unless the pool takes calls, as Python raises
// ValueError("Pool not running").
func (p *Pool) checkRunning(op string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != poolRunning {
		misuse("Pool."+op, "the pool is not running (it was closed or terminated): make a new mp.Pool")
	}
}
