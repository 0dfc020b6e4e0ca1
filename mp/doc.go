// Package mp runs functions of the notebook in other processes, as Python's
// multiprocessing does: an mp.Process is a real OS process, with its own
// pid, running its own Go interpreter.
//
//	import "mp"
//
//	func worker(n int, name string) {
//		fmt.Println("worker", n, name, "pid", os.Getpid(), "parent", os.Getppid())
//	}
//
//	p := mp.NewProcess(worker, 1, "x")
//	p.Start()
//	p.Join()
//	fmt.Println(p.ExitCode()) // 0
//
// # What a child has
//
// A child starts like Python's "spawn" start method: a fresh interpreter in
// a new process, which has every import, type, func, method and const the
// notebook has declared so far. Top-level statements of cells are not run
// again. Global variables have the value they had in the parent when Start
// was called, where the value can be copied: numbers, strings, slices,
// maps, arrays, structs and pointers of those, values of the notebook's
// types. What cannot be copied (channels, funcs, open files) is the zero
// value in the child. The child gets copies: what it changes, the parent
// does not see (use a queue or a pipe to send results back).
//
// # Targets
//
// The Target of a process is a top-level function or method value of the
// notebook, however it got to Start (a variable, a slice of funcs, a struct
// field, w.Run), or a value of a notebook type with a Run() method, which
// the child calls (Go's form of a Python Process subclass; the value's
// fields are copied). A function literal cannot be a target, as in Python a
// lambda cannot: declare the function with func at the top level. The
// arguments (Args) are copied like globals, but one that cannot be copied
// makes Start panic, saying which.
//
// # Output
//
// What a child prints, on stdout or stderr, also from its goroutines and
// its own children, appears in the notebook as it is printed, under the
// cell that called Start, also after that cell has finished. Join returns
// once the child has ended and all of its output has arrived. A child's
// uncaught panic prints "Process <name>:" and the panic with its traceback
// on the child's stderr, and its exit code is 1.
//
// # Limits
//
// A kernel may have DefaultMaxProcesses (64) live child processes at once,
// counted over all its processes: children, pool workers, their children.
// A Start past that panics with an error that errors.Is
// ErrTooManyProcesses, before any process is made, so a runaway loop of
// Starts (or a fork bomb) ends in errors. GOMP_MAX_PROCESSES in the
// kernel's environment (its kernelspec's env) sets the limit, and
// SetMaxProcesses changes it. A child killed by a signal mp did not send
// (the out-of-memory killer's SIGKILL, say) ends with minus that signal as
// its exit code, and a line on the cell's stderr says what it likely
// means. CPUCount honours the control group's CPU quota; CgroupLimits
// tells the memory, pids and CPU limits.
//
// # Ending
//
// Join waits for a process; Join(timeout) at most that long. ExitCode is 0
// after a normal end, 1 after a panic, n after os.Exit(n), -15 after
// Terminate and -9 after Kill; while the process runs it is mp.Running,
// which prints as "running" (Python's None). Interrupting the kernel
// terminates the processes the interrupted cell started, and a Join under
// way returns. Shutting down or restarting the kernel terminates every
// process, daemon or not; so does the kernel's death, however it dies.
//
// When a child's target returns, the child terminates its daemon children
// and waits for its other children before it ends, as Python's do. Unlike
// Python, a process that is terminated or killed takes its children with
// it: no process outlives the one that started it (there are no orphans).
// A daemon process cannot start processes (in Python neither).
//
// # Pools
//
// A Pool (Python's multiprocessing.Pool) keeps worker processes that run a
// function of the notebook for many items in parallel:
//
//	func isPrime(n int) bool { ... }
//
//	pool := mp.NewPool(2) // 0: mp.CPUCount() workers
//	defer pool.Terminate()
//	flags := pool.Map(isPrime, numbers).([]bool) // in order, typed as the function's result
//	fmt.Println(pool.Map(square, []int{1, 2, 3}))    // [1 4 9]
//	fmt.Println(pool.Starmap(add, [][]int{{1, 2}, {3, 4}})) // [3 7]
//	fmt.Println(pool.Apply(add, 20, 22))              // 42
//
//	r := pool.ApplyAsync(square, 7) // also MapAsync, StarmapAsync
//	r.Wait(time.Second)
//	if r.Ready() && r.Successful() { fmt.Println(r.Get()) }
//
//	for it := pool.Imap(square, nums); it.Next(); { // results as they arrive, in order
//		fmt.Println(it.Value())
//	}
//	for v := range pool.ImapUnordered(square, nums).Chan() { ... } // as they are ready
//
//	pool.Close() // no more calls; or Terminate to stop the workers now
//	pool.Join()
//
// Options: mp.NewPool(n, mp.Initializer(setup, args...), mp.MaxTasksPerChild(k))
// configure the workers; Map, Starmap and Imap take mp.Chunksize(n) (items
// per message to a worker; Map's default is Python's, about four chunks per
// worker, Imap's is 1) and mp.ShowProgress() (a live progress bar in the
// cell).
//
// The workers start once, at NewPool, with the notebook as it is then (as
// a Process starts: declarations, and global variables' values); a function
// declared later is unknown to them, so make a new Pool for it. Each task's
// function is a top-level function or method value, never a function
// literal. What a task prints appears under the cell that made the call.
//
// A task that panics fails its call: Get, Map and Apply panic with a
// *TaskError that carries the worker's panic message and traceback (Python
// re-raises); Err returns it instead. A function returning (T, error)
// fails its task with a non-nil error. A worker that dies (killed, or
// os.Exit in a task) is replaced, and its task fails with a TaskError
// wrapping ErrWorkerDied. Get(timeout) panics with ErrTimeout. Interrupting
// the cell stops a waiting Map, Get or Next (a panic that says it was
// interrupted) and the work it waited for: its queued tasks are dropped and
// the workers busy with them restarted. Terminate, and the kernel's shutdown,
// leave no worker behind.
//
// # Timelines
//
// A Timeline draws when processes ran, one row per process and time on the
// x axis, as an SVG image under the cell: a picture of what ran at the
// same time. It records the processes started after NewTimeline and the
// phases the cell marks itself with Span (or Begin and its end func), so a
// sequential version and a parallel one share one axis:
//
//	tl := mp.NewTimeline()
//	tl.Span("secuencial", func() { calcCuad(nums); calcCubo(nums) })
//	p1, p2 := mp.NewProcess(calcCuad, nums), mp.NewProcess(calcCubo, nums)
//	p1.Start(); p2.Start()
//	p1.Join(); p2.Join()
//	tl.Show()
//
// A process's bar runs from the moment Start handed it to its child to the
// moment the child ended, after a lighter segment for the time Start took; the label gives
// its name, pid, duration, and its exit code when not 0. fmt.Println(tl)
// prints the same as a table.
//
// Its words (labels, table headers, footnote, tooltips) are English or
// Spanish: tl.Lang = "es" asks for Spanish, "en" for English; without it,
// $GOMP_LANG decides, or else the "lang" of the notebook's metadata
// ({"metadata": {"lang": "es"}}) where the kernel knows its notebook
// (Jupyter Server names it to the kernel; gomp grade sets $GOMP_LANG from
// it), or else English. nbconvert and the classic Notebook name no
// notebook to the kernel, so a Spanish lesson sets tl.Lang itself.
//
// A Pool's workers are drawn too, even for a Pool made before NewTimeline:
// each worker that ran tasks while the timeline recorded is a row
// (SpawnPoolWorker-N and its pid), with a solid segment per chunk of tasks
// it ran over a light bar of its life, its number of tasks under its name
// and the time it was busy after the bar; the table adds a column with
// tasks, items and busy time.
//
//	pool := mp.NewPool(2)
//	tl := mp.NewTimeline()
//	tl.Span("secuencial", func() { contarPrimos(numeros) })
//	pool.Map(esPrimo, numeros) // about four chunks per worker: four segments on each row
//	tl.Show()
//
// The worker times each chunk itself, from taking it to having its
// results ready, and sends the times with the results: the bars are where
// the work ran, not when the results reached the notebook. A chunk is shown
// once it has finished, so Show after the call returns. Recording costs a
// few tens of nanoseconds per chunk, not per item, and a worker keeps at
// most 512 segments (past that, neighbours merge; the counts stay exact).
// A worker that died is a row that ends with its exit code, and its
// replacement a row of its own.
//
// # Names
//
// CurrentProcess().Name is "MainProcess" in the kernel; a process is named
// "Process-N" unless its Name is set, N counting the processes its parent
// made, and a child's children are "Process-N:M". ParentProcess() is nil in
// the kernel.
//
// # Queues and pipes
//
// A Queue carries values between any number of processes, first in first
// out; a Pipe connects two ends. What goes in comes out as a copy with its
// type: an int is an int, a []int a []int, a value of a notebook type keeps
// its methods. A value that cannot be copied (a channel, a func, inside
// anything) makes Put or Send panic with a message naming its type. Queues,
// pipe ends and other mp objects inside a value are not copied: the other
// process gets the same object.
//
//	q := mp.NewQueue()                  // mp.NewQueue(10): at most 10 items
//	q.Put(MyWorker{5})                  // waits while a bounded queue is full
//	w := q.Get().(MyWorker)             // waits for an item
//	v, err := q.GetTimeout(time.Second) // errors.Is(err, mp.ErrEmpty) if none came
//	err = q.PutNowait(x)                // errors.Is(err, mp.ErrFull)
//
// Items live in the kernel's shared memory: an item whose Put returned is
// in the queue even if its process dies right after, and a process killed
// while it puts or gets does not break the queue for the others (it can take
// with it only the item it was getting). Close, JoinThread and
// CancelJoinThread exist as in Python, but there is no feeder thread to wait
// for: Put has written the item when it returns. JoinableQueue adds TaskDone
// and Join; SimpleQueue has Put, Get, Empty and Close.
//
//	parent, child := mp.Pipe()   // mp.Pipe(false): parent only receives, child only sends
//	p := mp.NewProcess(f, child) // f(conn *mp.Conn) { conn.Send([]any{42, nil, "hello"}); conn.Close() }
//	p.Start()
//	child.Close()              // this process will not use it
//	fmt.Println(parent.Recv()) // [42 <nil> hello]
//	_, err := parent.RecvErr() // errors.Is(err, io.EOF): f closed its end, nobody else holds it
//
// Every process that received an end holds it, as the process that made the
// pipe holds both, until it calls Close, drops it (an end no variable refers
// to any more is closed when the garbage collector finds it, as Python's
// connections are) or ends. Recv waits for a value;
// when nothing is left to receive and no process holds the other end any
// more, Recv panics and RecvErr returns an error that errors.Is io.EOF
// (Python's EOFError). Poll(d) says whether Recv would return at once.
// Blocking Get, Put, Join and Recv end when the cell is interrupted.
//
// A queue, a pipe, a lock, an RLock, a semaphore or an event that no
// process holds any more is freed: its memory, its file in the kernel's
// shared memory and its mappings go, so a loop may make and drop as many as
// it likes. A process holds one while a
// variable, argument or value of it refers to it (the garbage collector
// decides when it no longer does, so freeing happens some time after);
// an item in a queue or a pipe that carries one keeps it until it is got;
// what is passed to a child (an argument, a global) stays held by the
// parent while any child it started runs; a process that dies, even by
// SIGKILL, holds nothing. Never freed before the kernel ends: what a
// manager stores (it hands out copies any number of times), what the items
// of a queue that was itself freed still carried, and conditions (with
// their locks), barriers, values and arrays. When a limit is reached anyway (the small objects' 64 MiB, the
// system's memory mappings), the error says which, after the unreachable
// objects were collected and freed.
//
// # Locks, semaphores, events, conditions, barriers
//
// Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition and Barrier
// are Python's, shared by every process of the kernel: they live in shared
// memory, and a child gets the same object when one is passed as an
// argument, or inside a global variable or a struct. Locks and semaphores
// satisfy sync.Locker.
//
//	func work(l *mp.Lock, total *mp.Value) {
//		for i := 0; i < 1000; i++ {
//			l.Lock()
//			total.Set(total.Get().(int) + 1)
//			l.Unlock()
//		}
//	}
//
//	l, total := mp.NewLock(), mp.NewValue(0)
//	p := mp.NewProcess(work, l, total)
//	p.Start()
//	work(l, total)
//	p.Join()
//	fmt.Println(total) // Value(int, 2000)
//
// Acquire() waits; Acquire(d) waits at most d and reports whether it took
// the lock; TryAcquire does not wait (Python's acquire(False)). Event.Wait,
// Condition.Wait and Barrier.Wait take an optional timeout the same way.
// Releasing a Lock that is not locked, an RLock this goroutine does not
// hold, or a BoundedSemaphore beyond its initial value panics (Python's
// ValueError and RuntimeError). An RLock belongs to a goroutine of a
// process; finding out which goroutine calls costs microseconds, so prefer
// Lock where reentrancy is not needed. NewCondition(l) takes an *mp.Lock or
// an *mp.RLock (a new RLock by default). NewBarrier(n, action) runs action,
// a top-level function, in the last party's process; Wait returns the
// arrival index, or an error wrapping mp.ErrBrokenBarrier (errors.Is) after
// Abort, Reset, or a party's timeout.
//
// A process that dies holding a Lock or an RLock (killed, say) does not
// hang the notebook: the next Acquire takes the lock over and prints
//
//	mp: Lock: process 1234 died holding this lock; it was released (what it protected may be half-updated)
//
// (Python's would wait forever). A semaphore has no owner: what a dead
// process acquired stays acquired.
//
// Interrupting the kernel stops a waiting Acquire or Wait with a panic, as
// Python's KeyboardInterrupt; Barrier.Wait returns the context's error
// instead. A deferred Release that then finds its lock free does not panic.
//
// # Shared values
//
// NewValue(x) holds a number or a bool (int, int8...int64, uint, byte...
// uint64, float32, float64, bool) in shared memory; Get returns it with its
// type, Set takes the same type (or an integer for a float) and panics on
// another, naming both. NewArray takes a slice ([]int{1, 2, 3}, or
// make([]float64, n) for n zeros) and has Get(i), Set(i, x), Len and Slice,
// a copy typed as the original slice. Each Get and Set is one atomic
// operation. A read-modify-write needs the lock, GetLock, which is an
// mp.Lock (Python's is an RLock: here Get and Set do not take it, so no
// reentrancy is needed, and a Lock costs one compare-and-swap):
//
//	v := mp.NewValue(0)
//	v.GetLock().Lock()
//	v.Set(v.Get().(int) + 1)
//	v.GetLock().Unlock()
//
// Value.Add(delta) adds atomically without the lock. Printed, a Value shows
// as Value(int, 5), an Array as Array(int, [1 2 3]), a Lock as
// <Lock(owner=None)>.
//
// # Managers
//
// A Manager holds dicts, lists, namespaces, queues, locks and values that
// every process of the kernel uses through proxies, as Python's
// multiprocessing.Manager(). Proxies (and the Manager itself) can be passed
// to children as arguments, inside structs and slices, in globals and
// through queues; they reach the same objects there. Values come back with
// the type they were stored with, the notebook's types included.
//
//	func contar(d *mp.DictProxy, l *mp.LockProxy, n int) {
//		for i := 0; i < n; i++ {
//			l.Lock()
//			d.Set("total", d.Get("total").(int)+1)
//			l.Unlock()
//		}
//	}
//
//	m := mp.NewManager()
//	d, l := m.Dict(), m.Lock()
//	d.Set("total", 0)
//	p1, p2 := mp.NewProcess(contar, d, l, 100), mp.NewProcess(contar, d, l, 100)
//	p1.Start(); p2.Start(); p1.Join(); p2.Join()
//	fmt.Println(d) // map[total:200]
//
// Python's manager runs in a server process of its own; a gomp Manager is
// served by goroutines of the process that made it (the kernel, usually), so
// its objects last until Shutdown or the kernel's end. A dict's keys are
// compared by their encoding (1 and int64(1) are different keys); Items
// gives a map, which fmt prints sorted. The lock is released by the manager
// if the process holding it dies.
//
// A manager is also reachable from other kernels and machines, as Python's
// BaseManager(address, authkey): give it a TCP address and an auth key, and
// name the objects so the other side can find them (Dict("resultados")
// makes the dict of that name the first time, and finds it afterwards).
// The client proves it knows the key first (an HMAC-SHA256 over the server's
// fresh nonce and its own), then the server proves it back; a peer without
// the key gets nothing derived from it to try guesses against, and a wrong
// key is an error that errors.Is mp.ErrAuth. The key never crosses the
// network. Failed attempts are logged, and each one from an address holds
// that address back for twice as long as the last (so a loop of guesses is
// turned away unchecked); at most 64 connections may be authenticating at
// once. What the key protects is who may use the objects; what it does not:
// the traffic is not encrypted, so anyone on the path reads the values that
// cross it. Bind a manager to loopback or an internal address, never to a
// network you do not trust, and choose a key nobody would guess.
//
// From a terminal, `gomp manager -address 192.168.1.10:50000
// -authkey-file clave.txt` (or the key in $GOMP_AUTHKEY) serves one; a key given as
// -authkey on the command line is refused, since every user of the machine
// can read a command line.
//
//	// the teacher's kernel (or a terminal's gomp manager)
//	m := mp.NewManager(mp.Address("192.168.1.10:50000"), mp.AuthKey("secreto")) // the classroom's network
//	trabajos := m.Queue("trabajos")
//
//	// a student's kernel
//	c, err := mp.ConnectManager("192.168.1.10:50000", "secreto")
//	if err != nil { ... }
//	c.Dict("resultados").Set("ana", 10)
//	tarea := c.Queue("trabajos").Get()
//
// Proxies' methods panic when the manager cannot be reached, as Python's
// raise; a blocked Get or Acquire returns when the kernel is interrupted.
package mp
