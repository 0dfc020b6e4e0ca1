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
// # Names
//
// CurrentProcess().Name is "MainProcess" in the kernel; a process is named
// "Process-N" unless its Name is set, N counting the processes its parent
// made, and a child's children are "Process-N:M". ParentProcess() is nil in
// the kernel.
package mp
