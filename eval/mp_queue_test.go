package eval

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Seed 004: a value of a cell-declared type goes through a Queue to a child,
// which calls its method; a pipe brings back another one.
func TestQueueAndPipeCarryCellTypesWithMethods(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("errors"; "fmt"; "io"; "mp")
type MyWorker struct{ X int }
func (w MyWorker) Process() string {
	return fmt.Sprintf("process %s for number %d", mp.CurrentProcess().Name, w.X)
}
func work(q *mp.Queue, conn *mp.Conn) {
	w := q.Get().(MyWorker)
	fmt.Println(w.Process())
	conn.Send(MyWorker{w.X * 2})
	conn.Close()
}
q := mp.NewQueue()
parent, child := mp.Pipe()
p := &mp.Process{Target: work, Args: []any{q, child}, Name: "Worker"}
p.Start()
child.Close()
q.Put(MyWorker{5})
q.Close()
q.JoinThread()
back := parent.Recv().(MyWorker)
_, err := parent.RecvErr()
p.Join() // the child's line has arrived once Join returns
fmt.Println("back:", back.Process())
fmt.Println("then EOF:", errors.Is(err, io.EOF))`)
	want := "process Worker for number 5\nback: process MainProcess for number 10\nthen EOF: true\n"
	if c.rec.out() != want {
		t.Fatalf("stdout %q, want %q; stderr %q", c.rec.out(), want, c.rec.err())
	}
}

// A pipe end in a global variable is shared with the child, not copied
// (the child declares the global with the type's name, mp.Conn).
func TestPipeEndInAGlobal(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "mp")
var recvEnd, sendEnd *mp.Conn
recvEnd, sendEnd = mp.Pipe(false)`)
	c := mustRun(t, s, `func report(n int) { sendEnd.Send(n * n) }
p := mp.NewProcess(report, 7)
p.Start()
p.Join()
fmt.Println(p.ExitCode(), recvEnd.Poll())
fmt.Println(recvEnd.Recv())`)
	if c.rec.out() != "0 true\n49\n" {
		t.Fatalf("stdout %q stderr %q", c.rec.out(), c.rec.err())
	}
}

// Interrupting a cell blocked in Get ends it.
func TestInterruptStopsABlockedGet(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "mp"
q := mp.NewQueue()`)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel) // not a timing assertion: when it fires does not matter
	c := runWith(t, s, `q.Get()`, &recorder{}, ctx)
	if c.res.Err == nil {
		t.Fatal("the blocked Get returned without an error")
	}
	if !strings.Contains(c.res.Err.Value+c.res.Err.Name, "nterrupt") && !strings.Contains(c.res.Err.Value, "cancel") {
		t.Fatalf("error %s: %s", c.res.Err.Name, c.res.Err.Value)
	}
}

// In a notebook every pipe end is a global, and globals are copied into
// each child: a child holds only the end it was passed, so closing the
// kernel's end still gives the child EOF (seed 001's echo loop ends).
func TestPipeEOFWhenEndsAreGlobals(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp")
func echo(conn *mp.Conn) {
	for {
		msg, err := conn.RecvErr()
		if err != nil {
			fmt.Println("child: the other end is closed")
			return
		}
		conn.Send(fmt.Sprint("echo: ", msg))
	}
}
here, there := mp.Pipe()
p := mp.NewProcess(echo, there)
p.Start()
there.Close()
here.Send("one")
fmt.Println(here.Recv())
here.Close()
p.Join()
fmt.Println("exit", p.ExitCode())`)
	want := "echo: one\nchild: the other end is closed\nexit 0\n"
	if c.rec.out() != want {
		t.Fatalf("stdout %q, want %q; stderr %q", c.rec.out(), want, c.rec.err())
	}
}
