package remote

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"gomp/backend"
	"gomp/eval"
)

// serveEval serves the real interpreter, as `gomp session` does.
func serveEval() int {
	c, err := InheritedConn()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := eval.New(eval.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := Serve(c, s); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 1
	}
	return 0
}

func startEval(t *testing.T) *Client {
	return startFakeWith(t, func(o *Options) {
		o.Env = append(os.Environ(), sessionEnv+"=eval")
	})
}

// runGo runs a cell of Go and returns its stdout, failing the test if the
// cell fails.
func runGo(t *testing.T, c *Client, code string) (string, string) {
	t.Helper()
	rec := newRecorder()
	v := value(t, run(t, c, code, rec))
	return rec.text(), v
}

const (
	declareCell = `import "fmt"

type counter struct{ n int }

func (c *counter) inc() int { c.n++; return c.n }

const greeting = "hola"

func greet(name string) { fmt.Println(greeting + ", " + name) }

visits := 3
visits++`

	mapWritesCell = `m := map[int]int{}
for g := 0; g < 2; g++ {
	go func() {
		for i := 0; ; i++ {
			m[i%100] = i
		}
	}()
}
select {}`

	useCell = `greet("Ana")
c := &counter{}
c.inc()
fmt.Sprint(c.inc(), visits)`
)

// After a real fatal error (concurrent map writes) and a real SIGKILL of
// the session process, the next cell runs in a new session that has the
// notebook's functions, methods, types and constants, with its variables
// at their zero values, and the error says so.
func TestFatalErrorKeepsTheDeclarations(t *testing.T) {
	c := startEval(t)
	runGo(t, c, declareCell)
	first := current(c).proc.Pid

	res := run(t, c, mapWritesCell, newRecorder())
	if e := res.Err; e == nil || e.Name != "fatal error" || e.Value != "concurrent map writes" {
		t.Fatalf("the map writes cell: %+v", res)
	} else if tb := strings.Join(e.Traceback, "\n"); !strings.Contains(tb, replayedState) {
		t.Errorf("the error does not say what survived:\n%s", tb)
	}
	out, v := runGo(t, c, useCell)
	if out != "stdout:hola, Ana\n" || v != `"2 0"` {
		t.Errorf("after the fatal error: printed %q, value %s; want \"hola, Ana\\n\" and \"2 0\"", out, v)
	}
	second := current(c).proc.Pid
	if second == first {
		t.Fatalf("the cell after the fatal error ran in the dead session %d", first)
	}

	// A SIGKILL while a cell runs; the replayed session's own log (sent
	// after its first cell) is what the third session starts from.
	runGo(t, c, `func twice(n int) int { return 2 * n }`)
	rec := newRecorder()
	done := make(chan backend.ExecuteResult, 1)
	go func() {
		done <- c.Execute(context.Background(), backend.ExecuteRequest{Code: `import "time"
fmt.Println("durmiendo")
time.Sleep(time.Hour)`}, rec)
	}()
	<-rec.got
	if err := syscall.Kill(second, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	res = <-done
	if e := res.Err; e == nil || e.Name != "killed by signal 9" || !strings.Contains(strings.Join(e.Traceback, "\n"), replayedState) {
		t.Fatalf("the killed cell: %+v", res)
	}
	out, v = runGo(t, c, useCell+"\ntwice(21)")
	if out != "stdout:hola, Ana\n" || v != "42" {
		t.Errorf("after the SIGKILL: printed %q, value %s", out, v)
	}
	if current(c).proc.Pid == second {
		t.Errorf("the cell after the SIGKILL ran in the killed session")
	}
}

// The kernel hands the last log a session sent to the next session, and
// says on the next cell's stderr when that session could not replay it.
func TestTheNextSessionGetsTheLastLog(t *testing.T) {
	c := startFake(t)
	runGo(t, c, "remember uno")
	runGo(t, c, "pid") // sends no log: unchanged
	res := run(t, c, "exit", newRecorder())
	if e := res.Err; e == nil || !strings.Contains(strings.Join(e.Traceback, "\n"), replayedState) {
		t.Fatalf("exit: %+v", res)
	}
	if out, v := runGo(t, c, "remembered"); v != "uno" || out != "" {
		t.Errorf("the new session remembers %q (printed %q), want uno", v, out)
	}
	runGo(t, c, "remember bad")
	run(t, c, "exit", newRecorder())
	out, v := runGo(t, c, "remembered")
	if v != "" || !strings.Contains(out, "stderr:The new Go session could not restore the notebook's declarations (a bad log)") {
		t.Errorf("after a failed replay: remembered %q, printed %q", v, out)
	}
	if out, _ := runGo(t, c, "pid"); out != "" {
		t.Errorf("the failed replay is told twice: %q", out)
	}
}

// A log whose replay kills the new session is dropped: the session after
// it starts empty instead of dying the same way for ever.
func TestADeadlyLogIsDropped(t *testing.T) {
	c := startFake(t)
	runGo(t, c, "remember deadly")
	run(t, c, "exit", newRecorder())
	// The next cell is told that the session did not start; the one
	// after runs in an empty session.
	if res := run(t, c, "remembered", newRecorder()); res.Err == nil || !strings.Contains(res.Err.Value, "did not start") {
		t.Fatalf("after the deadly replay: %+v", res)
	}
	res := run(t, c, "remembered", newRecorder())
	if v := value(t, res); v != "" {
		t.Errorf("the session after the deadly replay remembers %q", v)
	}
}
