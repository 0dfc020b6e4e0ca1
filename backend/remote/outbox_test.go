package remote

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gomp/backend"
)

// socketPair is the two ends of a real Unix socket pair, as between the
// kernel and its session.
func socketPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ends [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "pair")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		ends[i] = c
		t.Cleanup(func() { c.Close() })
	}
	return ends[0], ends[1]
}

// frameReader reads the frames an outbox sends, on a goroutine that ends
// with the channel.
func frameReader(t *testing.T, c net.Conn) <-chan *frame {
	t.Helper()
	ch := make(chan *frame, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		for {
			f, err := readFrame(c)
			if err != nil {
				return
			}
			ch <- f
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return ch
}

// describe is a frame as the kernel would act on it.
func describe(f *frame) string {
	switch f.Op {
	case opStream:
		return fmt.Sprintf("%d %s %q", f.Cell, f.Name, f.Text)
	case opDisplay:
		return fmt.Sprintf("%d display %v", f.Cell, f.Display.Data["text/plain"])
	}
	return fmt.Sprintf("%d %s %d", f.Cell, f.Op, f.ID)
}

// Text of one cell and stream written in a row becomes one frame; a write
// to the cell's other stream, or any other frame, ends the run, so the
// kernel gets every output of a cell in the order it was written. Another
// cell's writes in between (a goroutine it started) do not end the run.
func TestOutboxKeepsTheOrderOfWrites(t *testing.T) {
	session, kernel := socketPair(t)
	frames := frameReader(t, kernel)
	o := newOutbox(newConn(session, 0), time.Hour) // no timed flush in this test
	defer o.stop()

	steps := []func() error{
		func() error { return o.stream(1, "stdout", "a") },
		func() error { return o.stream(1, "stdout", "b\n") },
		func() error { return o.stream(1, "stderr", "c\n") },
		func() error { return o.stream(1, "stdout", "d") },
		func() error { return o.stream(2, "stdout", "e") }, // a goroutine of cell 2
		func() error { return o.stream(1, "stdout", "f") },
		func() error {
			return o.send(&frame{Op: opDisplay, Cell: 1, Display: &backend.Display{Data: backend.MIMEBundle{"text/plain": "g"}}})
		},
		func() error { return o.stream(1, "stdout", "h") },
		func() error { return o.send(&frame{Op: opInput, ID: 7, Cell: 1}) },
		func() error { return o.stream(1, "stderr", "i") },
		func() error { return o.stream(1, "stderr", "j") },
		func() error { return o.send(&frame{Op: opResult, ID: 1, Result: &backend.ExecuteResult{}}) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []string{
		`1 stdout "ab\n"`, `1 stderr "c\n"`, `1 stdout "df"`, `2 stdout "e"`,
		`1 display g`, `1 stdout "h"`, `1 input 7`, `1 stderr "ij"`, `0 result 1`,
	}
	for i, w := range want {
		if got := describe(<-frames); got != w {
			t.Fatalf("frame %d: %s, want %s", i, got, w)
		}
	}
}

// Many small writes leave in frames of about flushBytes, not one each,
// and the text is whole and in order.
func TestOutboxGathersSmallWrites(t *testing.T) {
	session, kernel := socketPair(t)
	frames := frameReader(t, kernel)
	o := newOutbox(newConn(session, 0), time.Hour)
	defer o.stop()

	const writes = 20000
	var want strings.Builder
	for i := range writes {
		line := fmt.Sprintf("línea %05d\n", i) // 13 bytes
		want.WriteString(line)
		if err := o.stream(1, "stdout", line); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.send(&frame{Op: opResult, ID: 1, Result: &backend.ExecuteResult{}}); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	n := 0
	for f := range frames {
		if f.Op == opResult {
			break
		}
		n++
		if f.Op != opStream || len(f.Text) > flushBytes+13 {
			t.Fatalf("frame %d: %s of %d bytes", n, f.Op, len(f.Text))
		}
		got.WriteString(f.Text)
	}
	if got.String() != want.String() {
		t.Fatalf("the text changed on the way: %d bytes, want %d", got.Len(), want.Len())
	}
	if most := want.Len()/flushBytes + 1; n > most {
		t.Errorf("%d writes became %d frames, want at most %d", writes, n, most)
	}
}

// Text nobody follows with another frame still leaves, after the delay.
func TestOutboxFlushesHeldTextByItself(t *testing.T) {
	session, kernel := socketPair(t)
	frames := frameReader(t, kernel)
	o := newOutbox(newConn(session, 0), flushDelay)
	defer o.stop()
	for round := range 3 {
		text := fmt.Sprintf("tick %d\n", round)
		if err := o.stream(4, "stdout", text); err != nil {
			t.Fatal(err)
		}
		if got, want := describe(<-frames), fmt.Sprintf("4 stdout %q", text); got != want {
			t.Fatalf("round %d: %s, want %s", round, got, want)
		}
	}
}

// A write larger than a frame may carry leaves at once, after the text
// before it, in frames of at most streamChunk cut between characters.
func TestOutboxCutsLargeWrites(t *testing.T) {
	session, kernel := socketPair(t)
	frames := frameReader(t, kernel)
	o := newOutbox(newConn(session, 0), time.Hour)
	defer o.stop()
	big := strings.Repeat("é", streamChunk) // 2 MiB, every rune 2 bytes
	if err := o.stream(1, "stdout", "antes\n"); err != nil {
		t.Fatal(err)
	}
	if err := o.stream(1, "stdout", big); err != nil {
		t.Fatal(err)
	}
	if got := describe(<-frames); got != `1 stdout "antes\n"` {
		t.Fatalf("first frame: %s", got)
	}
	var got strings.Builder
	for got.Len() < len(big) {
		f := <-frames
		if f.Op != opStream || len(f.Text) > streamChunk || !strings.HasPrefix(f.Text, "é") {
			t.Fatalf("a frame %s of %d bytes", f.Op, len(f.Text))
		}
		got.WriteString(f.Text)
	}
	if got.String() != big {
		t.Fatal("the large write changed on the way")
	}
}

// orderedOutput is a kernel-side Output that keeps every output in the
// order it came, adjacent text of one stream joined (as a notebook shows
// it).
type orderedOutput struct {
	mu  sync.Mutex
	got []string
}

func (o *orderedOutput) Stream(name, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := len(o.got); n > 0 && strings.HasPrefix(o.got[n-1], name+" ") {
		o.got[n-1] += text
		return
	}
	o.got = append(o.got, name+" "+text)
}
func (o *orderedOutput) Display(d backend.Display) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, fmt.Sprint("display ", d.Data["text/plain"]))
}
func (o *orderedOutput) ClearOutput(bool) {}
func (o *orderedOutput) Input(context.Context, string, bool) (string, error) {
	return "", backend.ErrNoStdin
}

// Through a real session process: a cell alternating stdout, stderr and
// displays reaches the kernel in exactly that order, each write its own
// output, however the session gathers them into frames.
func TestInterleavedOutputKeepsItsOrder(t *testing.T) {
	c := startFake(t)
	out := &orderedOutput{}
	const n = 2000
	value(t, run(t, c, fmt.Sprint("interleave ", n), out))
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("stdout o%d\n", i), fmt.Sprintf("stderr e%d\n", i))
		if i%10 == 9 {
			want = append(want, fmt.Sprint("display ", i))
		}
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.got) != len(want) {
		t.Fatalf("%d outputs, want %d; first: %q", len(out.got), len(want), out.got[:min(len(out.got), 6)])
	}
	for i := range want {
		if out.got[i] != want[i] {
			t.Fatalf("output %d is %q, want %q", i, out.got[i], want[i])
		}
	}
}

// pacedOutput is a kernel-side Output that takes its time over each
// stream, as the kernel's publisher does when it paces messages; it counts
// the text it got and keeps the notes about dropped text.
type pacedOutput struct {
	mu      sync.Mutex
	streams int
	bytes   int
	notes   []string
}

func (p *pacedOutput) Stream(name, text string) {
	time.Sleep(2 * time.Millisecond)
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.Contains(text, "are not shown") {
		p.notes = append(p.notes, text)
		return
	}
	p.streams++
	p.bytes += len(text)
}
func (p *pacedOutput) Display(backend.Display) {}
func (p *pacedOutput) ClearOutput(bool)        {}
func (p *pacedOutput) Input(context.Context, string, bool) (string, error) {
	return "", backend.ErrNoStdin
}

func (p *pacedOutput) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.streams
}

// A cell alternating stdout and stderr fills the channel with one frame
// per line; when the kernel paces them, an interrupt must not wait for all
// of them: the text still queued a while after the interrupt is dropped,
// and one note before the result says how much.
func TestInterruptDoesNotWaitForQueuedOutput(t *testing.T) {
	c := startFake(t)
	out := &pacedOutput{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan backend.ExecuteResult, 1)
	go func() { done <- c.Execute(ctx, backend.ExecuteRequest{Code: "alternate"}, out) }()
	for out.count() < 20 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	res := <-done
	written, err := strconv.Atoi(value(t, res))
	if err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.notes) != 1 {
		t.Fatalf("notes %q; want one", out.notes)
	}
	var dropped int
	if _, err := fmt.Sscanf(out.notes[0], "(%d bytes", &dropped); err != nil {
		t.Fatalf("the note %q: %v", out.notes[0], err)
	}
	if out.bytes+dropped != written || dropped == 0 {
		t.Errorf("the cell wrote %d bytes; %d were shown and the note says %d dropped", written, out.bytes, dropped)
	}
}
