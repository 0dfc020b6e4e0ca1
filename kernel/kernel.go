package kernel

import (
	"context"
	"errors"
	"io"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"gomp/backend"
)

// Options configures a kernel.
type Options struct {
	// Logger receives the kernel's log: dropped messages, protocol errors,
	// lifecycle. Jupyter shows the kernel's stderr in the server console, so
	// a logger on os.Stderr is the usual choice; the kernel never writes to
	// stdout. Nil discards the log.
	Logger *log.Logger

	// HandleSIGINT makes SIGINT interrupt the running cell, which is how
	// Jupyter interrupts a kernel whose kernelspec says interrupt_mode
	// "signal" (the default). Without it, SIGINT kills the process. Serve
	// installs the handler when it starts and removes it when it returns.
	HandleSIGINT bool

	// Output bounds the cells' stream output (throttle.go). Nil means the
	// limits the environment sets (OutputLimitsFromEnv), which the
	// kernelspec's env block can set.
	Output *OutputLimits
}

// Kernel is a Jupyter kernel bound to its sockets. Make one with Listen, then
// call Serve exactly once; or call Close to release one that will not serve.
type Kernel struct {
	log     *log.Logger
	plog    *peerLog // rate-limited, for what peers make the kernel say
	opts    Options
	auth    *Authenticator
	session string // this kernel's session id, in every header it sends
	socks   *sockets
	pub     *publisher
	stdin   *stdinChannel
	history *history

	interp    backend.Interpreter
	closeOnce sync.Once // interp.Close is called once

	// shellQueue carries shell requests from the shell reader to the one
	// goroutine that handles them, in order. A buffer of requests lets the
	// kernel see what is "already queued" when a cell fails.
	shellQueue chan *request
	// controlQueue carries control requests other than interrupt and
	// shutdown (which are served as they arrive) to the control worker, so
	// that one waiting on the interpreter never holds up an interrupt.
	controlQueue chan *request
	// executionCount is touched only by the shell worker.
	executionCount int

	// memory gives the memory of large messages back once handled.
	memory memoryReturner

	cellMu     sync.Mutex
	cancelCell context.CancelFunc // interrupts the running cell; nil when none
	stopping   bool               // set on shutdown: no cell may start

	started      atomic.Bool
	shutdownOnce sync.Once
	shutdownReq  chan struct{} // closed when a shutdown_request was answered

	// onShellQueued, when set (by tests), is called after each shell request
	// is queued.
	onShellQueued func(*request)
}

// shellQueueSize bounds how many shell requests wait while a cell runs;
// beyond that the reader waits, and ZeroMQ and TCP hold the rest.
const shellQueueSize = 256

// controlQueueSize bounds the control requests waiting behind a slow one;
// beyond that they are answered with an error at once.
const controlQueueSize = 64

// Listen binds the sockets described by conn. Ports given as 0 are chosen by
// the system; ConnectionInfo reports the ports actually bound.
func Listen(conn ConnectionInfo, opts Options) (*Kernel, error) {
	logger := opts.Logger
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	plog := newPeerLog(logger)
	session := uuid.NewString()
	auth := NewAuthenticator(conn.Key)
	socks, err := bindSockets(conn, plog.logger(), welcomeMessage(auth, session, logger))
	if err != nil {
		return nil, err
	}
	if conn.Key == "" {
		logger.Printf("warning: the connection file's key is empty, so messages are not signed: " +
			"anyone who can reach these ports can run code as this user")
	}
	limits := opts.Output
	if limits == nil {
		l, err := OutputLimitsFromEnv(os.Getenv)
		if err != nil {
			logger.Print(err)
		}
		limits = &l
	}
	logger.Print(limits)
	pub := newPublisher(socks.iopub, auth, session, logger, *limits)
	k := &Kernel{
		log:          logger,
		plog:         plog,
		opts:         opts,
		auth:         auth,
		session:      session,
		socks:        socks,
		pub:          pub,
		stdin:        newStdinChannel(socks.stdin, auth, session, pub, logger),
		history:      newHistory(),
		shellQueue:   make(chan *request, shellQueueSize),
		controlQueue: make(chan *request, controlQueueSize),
		shutdownReq:  make(chan struct{}),
	}
	k.memory.spare = socks.spare
	socks.spare.onKept(k.memory.soon)
	return k, nil
}

// ConnectionInfo is the connection info with the ports actually bound.
func (k *Kernel) ConnectionInfo() ConnectionInfo { return k.socks.bound }

// Close releases the sockets of a kernel on which Serve was never called.
// Once Serve has been called, Serve owns the sockets and Close does nothing.
func (k *Kernel) Close() error {
	if k.started.CompareAndSwap(false, true) {
		k.socks.closeAll()
	}
	return nil
}

// Serve is Listen followed by (*Kernel).Serve: it runs a kernel for interp
// until ctx is cancelled or a client asks it to shut down.
func Serve(ctx context.Context, conn ConnectionInfo, interp backend.Interpreter, opts Options) error {
	k, err := Listen(conn, opts)
	if err != nil {
		if cerr := interp.Close(); cerr != nil && opts.Logger != nil {
			opts.Logger.Printf("close interpreter: %v", cerr)
		}
		return err
	}
	return k.Serve(ctx, interp)
}

// Serve answers clients until ctx is cancelled or a shutdown_request has been
// answered. It returns nil after a shutdown_request and ctx's error after a
// cancellation. Either way, before it returns, the running cell has been
// interrupted and has returned, interp.Close has been called (once), every
// goroutine Serve started has ended and every socket is closed.
//
// Output that a cell's background work writes after Serve returned is
// dropped.
func (k *Kernel) Serve(ctx context.Context, interp backend.Interpreter) error {
	if !k.started.CompareAndSwap(false, true) {
		return errors.New("kernel: Serve called twice, or after Close")
	}
	k.interp = interp
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var sigints <-chan os.Signal
	if k.opts.HandleSIGINT {
		// Installed before anything is served, so that no SIGINT meant as
		// an interrupt can reach the default handler and kill the kernel.
		var stopSignals func()
		sigints, stopSignals = notifySIGINT()
		defer stopSignals()
	}

	go k.pub.run()
	k.pub.publish("status", emptyObject, statusContent{ExecutionState: "starting"})
	k.log.Printf("kernel %s serving (protocol %s)", k.session, protocolVersion)

	// Workers end when ctx is cancelled; readers end when their socket is
	// closed. They are stopped in that order so that the reply to the last
	// request (a cell being interrupted by the shutdown) still goes out.
	var workers, readers sync.WaitGroup
	workers.Go(func() { k.shellWorker(ctx) })
	workers.Go(func() { k.controlWorker(ctx) })
	if sigints != nil {
		workers.Go(func() { k.interruptOnSignal(ctx, sigints) })
	}
	readers.Go(func() { k.echoHeartbeats() })
	readers.Go(func() { k.readShell(ctx) })
	readers.Go(func() { k.readControl(ctx) })
	readers.Go(func() { k.receive(ctx, k.socks.stdin, channelStdin, k.serve) })

	var err error
	select {
	case <-parent.Done():
		err = parent.Err()
		k.log.Printf("kernel stopping: %v", context.Cause(parent))
	case <-k.shutdownReq:
		k.log.Printf("kernel stopping: shutdown requested")
	}
	cancel()
	k.stopCells()
	k.stdin.stop()
	k.waitOrCloseRouters(&workers)
	readers.Wait()
	k.closeInterpreter()
	k.pub.shutdown()
	k.memory.stop()
	k.plog.flush()
	return err
}

// teardownGrace is how long Serve lets the workers finish their last reply
// before it closes the request sockets under them. A send to a client that
// stopped reading waits for its write deadline (routersocket.go), longer
// than a shutdown should take; closing the socket fails such a send at once.
const teardownGrace = 2 * time.Second

// waitOrCloseRouters waits for the workers to end, then closes the request
// sockets; if the workers take longer than teardownGrace, it closes the
// sockets first, which unblocks a stuck send, and then waits.
func (k *Kernel) waitOrCloseRouters(workers *sync.WaitGroup) {
	done := make(chan struct{})
	go func() { // ends when the workers do, which Serve waits for below
		workers.Wait()
		close(done)
	}()
	grace := time.NewTimer(teardownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		k.log.Printf("a request is still being answered after %v; closing the sockets", teardownGrace)
	}
	k.socks.closeRouters()
	<-done
}

// closeInterpreter calls interp.Close the first time it is called.
func (k *Kernel) closeInterpreter() {
	k.closeOnce.Do(func() {
		if err := k.interp.Close(); err != nil {
			k.log.Printf("close interpreter: %v", err)
		}
	})
}

// requestShutdown makes Serve return; called once the shutdown_reply is out.
func (k *Kernel) requestShutdown() {
	k.shutdownOnce.Do(func() { close(k.shutdownReq) })
}

// Interrupt cancels the context of the running cell, if any: the same as an
// interrupt_request. It is safe to call from any goroutine at any time.
func (k *Kernel) Interrupt() {
	k.cellMu.Lock()
	cancel := k.cancelCell
	k.cellMu.Unlock()
	if cancel != nil {
		k.log.Printf("interrupting the running cell")
		cancel()
	}
}

// beginCell registers the cancel function of the cell about to run. It
// returns false once the kernel is stopping: no cell may start then, as the
// interpreter is being closed.
func (k *Kernel) beginCell(cancel context.CancelFunc) bool {
	k.cellMu.Lock()
	defer k.cellMu.Unlock()
	if k.stopping {
		return false
	}
	k.cancelCell = cancel
	return true
}

func (k *Kernel) endCell() {
	k.cellMu.Lock()
	k.cancelCell = nil
	k.cellMu.Unlock()
}

// stopCells interrupts the running cell and lets no other start.
func (k *Kernel) stopCells() {
	k.cellMu.Lock()
	k.stopping = true
	cancel := k.cancelCell
	k.cellMu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (k *Kernel) isStopping() bool {
	k.cellMu.Lock()
	defer k.cellMu.Unlock()
	return k.stopping
}
