// Command gomp is a Jupyter kernel for Go, made for teaching concurrency.
//
//	gomp kernel CONNECTION_FILE   run the kernel (Jupyter starts it so)
//	gomp install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--interrupt-mode signal|message]
//	                              register the kernelspec
//	gomp grade [-o report.csv] [-out DIR] [-timeout 10m] FOLDER_OR_NOTEBOOK...
//	                              run notebooks with nbconvert, report in a CSV
//	gomp manager -address HOST:PORT -authkey-file FILE   (or the key in $GOMP_AUTHKEY)
//	                              serve an mp manager (mp.ConnectManager reaches it)
//	gomp version                  print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gomp/backend/remote"
	"gomp/display"
	"gomp/eval"
	"gomp/help"
	"gomp/kernel"
	"gomp/kernelspec"
	"gomp/mp"
)

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "kernel":
		err = runKernel(args)
	case "install":
		err = runInstall(args)
	case "grade":
		err = runGrade(args)
	case "manager":
		err = runManager(args)
	case "session":
		// The hidden entry point of the process that runs the cells of a
		// kernel (started by runKernel, see package remote).
		err = runSession(args)
	case "child":
		// The hidden entry point of mp's child processes (see package mp).
		// A child runs the same interpreter as the kernel, so it gets the
		// same collector setting (a pool worker would otherwise compute
		// slower than the serial loop it is compared with).
		useInterpreterGC()
		useCgroupMemoryLimit()
		os.Exit(mp.RunChild(eval.NewChildHost))
	case "version", "--version", "-version":
		fmt.Printf("gomp %s (%s, %s/%s)\n", eval.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case "help", "-h", "--help":
		usage(os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "gomp: unknown command %q\n", cmd)
		usage(os.Stderr)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gomp: %v\n", err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  gomp kernel CONNECTION_FILE   run the Jupyter kernel (Jupyter starts it so)
  gomp install [flags]          register the kernelspec (see gomp install -h)
  gomp grade [flags] FOLDER...  run notebooks with nbconvert, report in a CSV
                                (see gomp grade -h)
  gomp manager -address HOST:PORT -authkey-file FILE
                                serve an mp manager for mp.ConnectManager
                                (or the key in $GOMP_AUTHKEY)
  gomp version                  print the version
`)
}

// runKernel serves Jupyter on the sockets of a connection file until a
// shutdown request, SIGTERM or SIGHUP.
func runKernel(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: gomp kernel CONNECTION_FILE")
	}
	// The kernel's log goes to (a duplicate of) stderr, which Jupyter shows
	// in the server's console; a cell's output never does (eval gives cells
	// their own streams), so nothing here reaches a notebook.
	logger := log.New(kernelLogOutput(), "[gomp] ", log.LstdFlags)
	// What this kernel and its children may use together: on a hub, a
	// teacher reading the server's log sees what a student's kernel got.
	logger.Printf("%s; child processes: at most %d alive (%s, mp.SetMaxProcesses); mp.CPUCount() = %d",
		mp.CgroupLimits(), mp.MaxProcesses(), mp.MaxProcessesEnv, mp.CPUCount())
	conn, err := kernel.ReadConnectionFile(args[0])
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the gomp binary to run the Go session: %w", err)
	}
	// The cells run in a session process of their own: a Go fatal error in
	// a cell (concurrent map writes, a stack overflow, out of memory) ends
	// that process, not this one, which fails the cell and starts another.
	session, err := remote.Start(remote.Options{
		Command: []string{exe, "session"},
		Stderr:  os.Stderr,
		Logger:  logger,
		// A session that died could not remove its shared memory and
		// manager sockets; its children die with it (PDEATHSIG).
		AfterExit: func(int) { mp.RemoveStale() },
	})
	if err != nil {
		return fmt.Errorf("starting the Go session: %w", err)
	}
	// The kernel process runs none of the interpreter that every gomp
	// process initialises.
	releaseStartupPages()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, orphaned := context.WithCancel(ctx)
	defer orphaned()
	go watchParent(ctx, logger, orphaned)
	served := make(chan struct{})
	defer close(served)
	go exitIfStuck(ctx, served, logger, stuckGrace, func() { session.Close() }, os.Exit)
	err = kernel.Serve(ctx, conn, session, kernel.Options{Logger: logger, HandleSIGINT: true})
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Told to stop (SIGTERM, SIGHUP, the frontend gone) and stopped
		// cleanly: that is a success.
		logger.Printf("stopped: %v", context.Cause(ctx))
		return nil
	}
	return err
}

// runSession serves the cells of the kernel that started this process on
// the channel it inherited, until the kernel closes it. Its stderr is read
// by the kernel, which logs it and reports a fatal error's message to the
// cell that died of it.
func runSession(args []string) error {
	if len(args) != 0 {
		return errors.New("usage: gomp session (started by gomp kernel)")
	}
	logger := log.New(os.Stderr, "[gomp] ", log.LstdFlags)
	useInterpreterGC()
	logger.Printf("session process %d: %s", os.Getpid(), useCgroupMemoryLimit())
	conn, err := remote.InheritedConn()
	if err != nil {
		return err
	}
	help.Register(display.Symbols, display.Source)
	help.Register(mp.Symbols, mp.Source)
	session, err := eval.New(eval.Options{Logger: logger})
	if err != nil {
		conn.Close()
		return fmt.Errorf("starting the Go interpreter: %w", err)
	}
	// What the interpreter's start touched and its cells will not.
	releaseStartupPages()
	return remote.Serve(conn, session)
}

// useInterpreterGC sets the collector for a process that runs the
// interpreter. Its symbol tables make a large, long-lived heap that every
// collection scans, while a cell allocates little that lives: a less eager
// collector makes a trivial cell about twice as fast, for a few MiB
// (bench/README.md). GOGC in the environment still wins.
func useInterpreterGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
}

// stuckGrace is how long a kernel told to stop (SIGTERM, SIGHUP, its
// frontend gone) waits for the running cell to return before it exits
// anyway.
const stuckGrace = 10 * time.Second

// exitIfStuck ends the process when Serve has not returned stuckGrace after
// ctx is done: a cell blocked where no interrupt reaches (a deadlock in
// compiled code) must not keep an orphaned kernel alive forever. The
// session dies with it, and the session's children with the session
// (PDEATHSIG both); cleanup (closing the session, which ends its children
// cleanly and removes the shared files) runs first, for at most a second.
func exitIfStuck(ctx context.Context, served <-chan struct{}, logger *log.Logger, grace time.Duration, cleanup func(), exit func(int)) {
	select {
	case <-served:
		return
	case <-ctx.Done():
	}
	select {
	case <-served:
		return
	case <-time.After(grace):
	}
	logger.Printf("the running cell did not return within %v of the request to stop: exiting", grace)
	done := make(chan struct{})
	go func() { cleanup(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	exit(1)
}

// watchParent ends the kernel when the frontend that started it dies
// without shutting it down (a killed notebook server or console), as
// ipykernel does: jupyter_client names the frontend in JPY_PARENT_PID. The
// kernel then shuts down normally, children included. It returns when ctx
// is done.
func watchParent(ctx context.Context, logger *log.Logger, orphaned context.CancelFunc) {
	pid, err := strconv.Atoi(os.Getenv("JPY_PARENT_PID"))
	if err != nil || pid <= 1 {
		return
	}
	childOfFrontend := os.Getppid() == pid
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		// When the frontend is our parent, its death reparents us at once
		// (even while it is an unreaped zombie); otherwise it is gone when
		// signalling it fails.
		gone := os.Getppid() != pid
		if !childOfFrontend {
			gone = syscall.Kill(pid, 0) == syscall.ESRCH
		}
		if gone {
			logger.Printf("the frontend (pid %d) is gone: shutting down", pid)
			orphaned()
			return
		}
	}
}

// runInstall registers the kernelspec for this binary.
func runInstall(args []string) error {
	fs := flag.NewFlagSet("gomp install", flag.ContinueOnError)
	var opts kernelspec.Options
	fs.BoolVar(&opts.User, "user", false, "install for this user (the default)")
	fs.BoolVar(&opts.SysPrefix, "sys-prefix", false, "install into the Python environment that runs jupyter (sys.prefix)")
	fs.StringVar(&opts.Prefix, "prefix", "", "install into `DIR`/share/jupyter/kernels")
	fs.StringVar(&opts.Name, "name", "", "kernel `name` (default "+kernelspec.DefaultName+")")
	fs.StringVar(&opts.DisplayName, "display-name", "", "name shown in menus (default \""+kernelspec.DefaultDisplayName+"\")")
	fs.StringVar(&opts.InterruptMode, "interrupt-mode", "", "how Jupyter interrupts the kernel: signal or message")
	maxProcs := fs.Int("max-processes", mp.DefaultMaxProcesses, "how many child processes a kernel may have alive at once (kernel.json env "+mp.MaxProcessesEnv+")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("gomp install: unexpected argument %q", fs.Arg(0))
	}
	if *maxProcs < 1 {
		return fmt.Errorf("gomp install: --max-processes must be at least 1, not %d", *maxProcs)
	}
	// The limits a hub wants in the kernelspec, where its admin sees and
	// edits them (mp reads them at the kernel's start).
	opts.Env = map[string]string{mp.MaxProcessesEnv: strconv.Itoa(*maxProcs)}
	dir, err := kernelspec.Install(opts)
	if err != nil {
		return err
	}
	fmt.Printf("installed kernelspec %s in %s\n", nameOr(opts.Name), dir)
	return nil
}

func nameOr(n string) string {
	if n == "" {
		return kernelspec.DefaultName
	}
	return n
}

// runManager serves a standalone mp manager until SIGINT or SIGTERM, so that
// a class can run one server whose dicts, lists, queues and locks every
// student's kernel reaches with mp.ConnectManager (Python's
// BaseManager(address, authkey).serve_forever()).
func runManager(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveManager(ctx, args, os.Stdout)
}

// authKeyEnv is the environment variable `gomp manager` takes its key from
// when there is no -authkey-file.
const authKeyEnv = "GOMP_AUTHKEY"

// serveManager serves a manager until ctx is done, telling out where.
//
// The key never comes from argv: every user of the machine can read a
// process's command line (/proc/PID/cmdline, ps), so -authkey is refused
// with a message saying what to use instead. A file (mode 0600, say) or the
// environment (/proc/PID/environ is the owner's only) keep it private.
func serveManager(ctx context.Context, args []string, out io.Writer) (err error) {
	fs := flag.NewFlagSet("gomp manager", flag.ContinueOnError)
	address := fs.String("address", "127.0.0.1:50000", "listen on TCP at `host:port` (\":50000\" for every interface; bind it to loopback or an internal address: the traffic is not encrypted)")
	keyFile := fs.String("authkey-file", "", "read the key clients must know from `file` (its first line); without it, from $"+authKeyEnv)
	argvKey := fs.String("authkey", "", "refused: a key on the command line is visible to every user (use -authkey-file or $"+authKeyEnv+")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("gomp manager: unexpected argument %q", fs.Arg(0))
	}
	if *argvKey != "" {
		return fmt.Errorf("gomp manager: -authkey is refused: every user of this machine can read a command line (ps, /proc/PID/cmdline); put the key in a file for -authkey-file, or in $%s", authKeyEnv)
	}
	authKey, err := managerKey(*keyFile)
	if err != nil {
		return err
	}
	defer func() {
		// NewManager panics, as Python raises, when it cannot listen.
		if r := recover(); r != nil {
			err = fmt.Errorf("gomp manager: %v", r)
		}
	}()
	m := mp.NewManager(mp.Address(*address), mp.AuthKey(authKey))
	defer m.Shutdown()
	fmt.Fprintf(out, "gomp manager serving at %s (mp.ConnectManager(%q, key))\n", m.Address(), m.Address())
	<-ctx.Done()
	return nil
}

// managerKey is the key of `gomp manager`: the first line of file, or
// $GOMP_AUTHKEY without one.
func managerKey(file string) (string, error) {
	const noKey = "gomp manager: needs a key (-authkey-file FILE, or $" + authKeyEnv + "): anyone who can reach the port could use the manager otherwise"
	if file == "" {
		key := os.Getenv(authKeyEnv)
		if key == "" {
			return "", errors.New(noKey)
		}
		return key, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("gomp manager: reading the key: %w", err)
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", fmt.Errorf("gomp manager: reading the key from %s: %w", file, err)
	}
	key, _, _ := strings.Cut(string(text), "\n")
	key = strings.TrimSuffix(key, "\r")
	if key == "" {
		return "", fmt.Errorf("gomp manager: %s has no key on its first line", file)
	}
	return key, nil
}
