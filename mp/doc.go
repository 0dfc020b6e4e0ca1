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
// pipe holds both, until it calls Close or ends. Recv waits for a value;
// when nothing is left to receive and no process holds the other end any
// more, Recv panics and RecvErr returns an error that errors.Is io.EOF
// (Python's EOFError). Poll(d) says whether Recv would return at once.
// Blocking Get, Put, Join and Recv end when the cell is interrupted.
package mp
