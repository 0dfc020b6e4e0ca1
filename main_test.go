package main

import (
	"bufio"
	"context"
	"io"
	"log"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"gomp/mp"
)

// runMainEnv makes the test binary run gomp's main with its arguments: how
// the tests start a real `gomp manager` process.
const runMainEnv = "GOMP_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var servingAt = regexp.MustCompile(`serving at (\S+) `)

// TestManagerCommand starts `gomp manager` as a process of its own and uses
// its objects from this one, as a student's kernel would from the class's
// server; SIGTERM ends it cleanly.
func TestManagerCommand(t *testing.T) {
	cmd := exec.Command(os.Args[0], "manager", "-address", "127.0.0.1:0", "-authkey", "secreto")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reaped := false
	defer func() {
		if !reaped {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the manager's first line: %v", err)
	}
	match := servingAt.FindStringSubmatch(line)
	if match == nil {
		t.Fatalf("the manager said %q", line)
	}
	addr := match[1]

	if _, err := mp.ConnectManager(addr, "wrong"); err == nil {
		t.Fatal("a wrong key was accepted")
	}
	c, err := mp.ConnectManager(addr, "secreto")
	if err != nil {
		t.Fatal(err)
	}
	c.Dict("resultados").Set("alumno", 10)
	c.Queue("trabajos").Put("tarea 1")
	again, err := mp.ConnectManager(addr, "secreto")
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Dict("resultados").Get("alumno"); got != 10 {
		t.Errorf("resultados[alumno] = %v", got)
	}
	if got := again.Queue("trabajos").Get(); got != "tarea 1" {
		t.Errorf("trabajos gave %v", got)
	}
	c.Shutdown()
	again.Shutdown()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	reaped = true
	if err != nil {
		t.Errorf("gomp manager after SIGTERM: %v", err)
	}
}

func TestManagerCommandNeedsAKey(t *testing.T) {
	if err := serveManager(t.Context(), []string{"-address", "127.0.0.1:0"}, os.Stdout); err == nil {
		t.Error("a manager without -authkey started")
	}
}

// A kernel told to stop whose cell never returns exits anyway, after the
// grace; one whose Serve returns in time does not.
func TestExitIfStuck(t *testing.T) {
	logger := log.New(io.Discard, "", 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	exited := make(chan int, 1)
	cleaned := false
	exitIfStuck(ctx, make(chan struct{}), logger, time.Millisecond, func() { cleaned = true }, func(code int) { exited <- code })
	if code := <-exited; code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !cleaned {
		t.Error("exited without the cleanup")
	}

	served := make(chan struct{})
	close(served)
	exitIfStuck(ctx, served, logger, time.Hour, func() { t.Error("cleaned up although Serve had returned") }, func(int) { t.Error("exited although Serve had returned") })
}
