package mp

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// recvWithin receives, failing the test if nothing (not even EOF) comes
// for a long time: a guard against hanging, not a timing assertion.
func recvWithin(t *testing.T, c *Conn) (any, error) {
	t.Helper()
	if !c.Poll(30 * time.Second) {
		t.Fatal("nothing to receive, and no EOF, for 30s")
	}
	return c.RecvErr()
}

func TestPipeDuplexConversation(t *testing.T) {
	rec, _ := inCell(t)
	a, b := Pipe()
	p := NewProcess(echoUntilEOF, b)
	p.Start()
	b.Close() // as Python's examples do: the child holds it now
	for _, v := range []any{42, []int{1, 2}, "hola", qjob{"p", 4}} {
		a.Send(v)
	}
	for _, want := range []string{"42 int", "[1 2] []int", "hola string", "p#16 string"} {
		v, err := recvWithin(t, a)
		if err != nil || sprintTyped(v) != want {
			t.Fatalf("got %s, %v; want %s", sprintTyped(v), err, want)
		}
	}
	a.Close() // the child's Recv gets EOF: it prints and ends
	p.Join()
	if p.ExitCode() != 0 || !strings.Contains(rec.text("stdout"), "echoed 4") {
		t.Fatalf("exit %v, stdout %q", p.ExitCode(), rec.text("stdout"))
	}
}

// Seed 003: each end goes to a child of its own; one sends and closes, the
// other receives.
func TestPipeBetweenTwoChildren(t *testing.T) {
	rec, _ := inCell(t)
	a, b := Pipe()
	sender := NewProcess(sendAndClose, b, []any{42, nil, "hello", true})
	receiver := NewProcess(recvOneAndPrint, a)
	sender.Start()
	receiver.Start()
	sender.Join()
	receiver.Join()
	if got := rec.text("stdout"); got != "got [42 <nil> hello true]\n" {
		t.Fatalf("stdout %q", got)
	}
}

func TestPipeClosedEndGivesEOF(t *testing.T) {
	inCell(t)
	a, b := Pipe(false)
	p := NewProcess(sendAndClose, b, "last")
	p.Start()
	b.Close()
	if v, err := recvWithin(t, a); v != "last" || err != nil {
		t.Fatalf("got %v, %v", v, err)
	}
	if _, err := recvWithin(t, a); !errors.Is(err, io.EOF) {
		t.Fatalf("after the sender closed: %v, want EOF", err)
	}
	msg := mustPanic(t, func() { a.Recv() })
	if !strings.Contains(msg, "EOF") {
		t.Fatalf("Recv panic %q", msg)
	}
	p.Join()
}

func TestPipeDeadPeerGivesEOF(t *testing.T) {
	inCell(t)
	a, b := Pipe()
	p := NewProcess(readyThenSleep, b)
	p.Start()
	b.Close()
	if v, err := recvWithin(t, a); v != "ready" || err != nil {
		t.Fatalf("got %v, %v", v, err)
	}
	p.Kill()
	p.Join()
	if _, err := recvWithin(t, a); !errors.Is(err, io.EOF) {
		t.Fatalf("after the peer died: %v, want EOF", err)
	}
	if err := catchPanic(func() { a.Send(1) }); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Send to a dead peer: %v", err)
	}
}

func TestPipeEndInsideAStruct(t *testing.T) {
	inCell(t)
	a, b := Pipe(false)
	p := NewProcess(sendThroughJob, pipeJob{Label: "job", Out: b})
	p.Start()
	b.Close()
	if v, err := recvWithin(t, a); v != "job via struct" || err != nil {
		t.Fatalf("got %v, %v", v, err)
	}
	p.Join()
	if _, err := recvWithin(t, a); !errors.Is(err, io.EOF) {
		t.Fatalf("after the child ended: %v, want EOF", err)
	}
}

func TestPipeEndThroughAQueue(t *testing.T) {
	inCell(t)
	a, b := Pipe()
	q := NewQueue()
	q.Put(b)
	b.Close()
	// In transit: the end still counts as held.
	if a.Poll() {
		t.Fatal("Poll saw EOF while the end was in a queue")
	}
	got := q.Get().(*Conn)
	if got != b || got.Closed() {
		t.Fatal("the end came back as another handle, or closed")
	}
	got.SendBytes([]byte("raw"))
	if string(a.RecvBytes()) != "raw" {
		t.Fatal("RecvBytes")
	}
	got.Close()
	if !a.Poll() {
		t.Fatal("Poll does not see EOF")
	}
	// Sent after Close, the end arrives closed and holds nothing.
	q.Put(b)
	if again := q.Get().(*Conn); !again.Closed() {
		t.Fatal("an end sent closed arrived open")
	}
	if _, err := a.RecvErr(); !errors.Is(err, io.EOF) {
		t.Fatalf("after a closed end went through a queue: %v, want EOF", err)
	}
}

func TestPipeMisuse(t *testing.T) {
	inCell(t)
	r, w := Pipe(false)
	if msg := mustPanic(t, func() { r.Send(1) }); !strings.Contains(msg, "only receives") {
		t.Errorf("Send on the receiving end: %q", msg)
	}
	if msg := mustPanic(t, func() { w.Recv() }); !strings.Contains(msg, "only sends") {
		t.Errorf("Recv on the sending end: %q", msg)
	}
	if msg := mustPanic(t, func() { w.Send(func() {}) }); !strings.Contains(msg, "func()") {
		t.Errorf("Send of a func: %q", msg)
	}
	if r.Poll() {
		t.Error("Poll of an empty pipe")
	}
	w.Close()
	if msg := mustPanic(t, func() { w.Send(1) }); !strings.Contains(msg, "closed") {
		t.Errorf("Send on a closed end: %q", msg)
	}
}

func TestPipeRecvStopsOnInterrupt(t *testing.T) {
	_, interrupt := inCell(t)
	a, _ := Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := a.RecvErr()
		done <- err
	}()
	interrupt()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("RecvErr ended with %v", err)
	}
}

func TestPipePingPong(t *testing.T) {
	inCell(t)
	a, b := Pipe()
	p := NewProcess(pingPong, b)
	p.Start()
	n := 0
	for range 1000 {
		a.Send(n)
		n = a.Recv().(int)
	}
	a.Send(-1)
	p.Join()
	if n != 1000 {
		t.Fatalf("n = %d", n)
	}
}

func catchPanic(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err, _ = r.(error)
		}
	}()
	f()
	return nil
}

// A message carrying a pipe end that is not sent (it did not encode, or the
// queue was full) leaves no copy in transit behind: once the only holder
// closes the end, the other end gets EOF.
func TestUnsentPipeEndLeavesNoCopyInTransit(t *testing.T) {
	here, there := Pipe()
	full := NewQueue(1)
	full.Put(1)
	if err := full.PutNowait([]any{there}); !errors.Is(err, ErrFull) {
		t.Fatalf("PutNowait into a full queue: %v", err)
	}
	if _, _, err := encodeItem(nil, []any{there, make(chan int)}, carriedInRing); err == nil {
		t.Fatal("a message with a channel encoded")
	}
	there.Close()
	if _, err := recvWithin(t, here); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the only holder closed: %v, want EOF", err)
	}
}
