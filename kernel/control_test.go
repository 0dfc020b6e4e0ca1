package kernel

import (
	"log"
	"strings"
	"testing"

	"github.com/go-zeromq/zmq4"
)

// An interrupt_request is answered, and interrupts the cell, while a
// completion sent on control before it waits for the interpreter.
func TestInterruptNotQueuedBehindSlowControlRequest(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("block", nil)
	h.c.recv(h.c.iopubIn, "busy")
	h.c.recv(h.c.iopubIn, "execute_input")

	compID := h.c.send(h.c.control, "complete_request", map[string]any{"code": "slow", "cursor_pos": 4})
	<-h.interp.completing // the completion now waits, as on a busy interpreter
	intID := h.c.send(h.c.control, "interrupt_request", struct{}{})
	h.c.reply(h.c.controlIn, intID, "interrupt_reply")
	r := h.c.reply(h.c.shellIn, id, "execute_reply")
	if s := contentField(t, r, "ename"); s != "Interrupted" {
		t.Errorf("interrupted cell: %s", r.Content)
	}
	close(h.interp.completeRelease)
	h.c.reply(h.c.controlIn, compID, "complete_reply")
}

// A shutdown_request on shell (old clients send it there) does not wait
// behind the running cell: it is answered, the cell is interrupted, and
// Serve returns.
func TestShutdownOnShellWhileBusy(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("block", nil)
	h.c.recv(h.c.iopubIn, "busy")
	h.c.recv(h.c.iopubIn, "execute_input")
	sdID := h.c.send(h.c.shell, "shutdown_request", map[string]any{"restart": false})
	got := map[string]bool{}
	for range 2 {
		m := h.c.recv(h.c.shellIn, "execute_reply or shutdown_reply")
		got[parentID(m)+" "+m.Header.MsgType] = true
	}
	if !got[id+" execute_reply"] || !got[sdID+" shutdown_reply"] {
		t.Errorf("replies: %v", got)
	}
	if err := h.wait(); err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// 10,000 unsigned messages give a burst of log lines and a count of the
// rest, not 10,000 lines; a 60 KB msg_type is logged clipped. (A header over
// maxHeadFrame ends the connection before it is read.)
func TestGarbageLogIsRateLimited(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	long := strings.Repeat("x", 60<<10)
	h.c.outputs(h.c.send(h.c.shell, long, struct{}{})) // busy, idle, no reply
	unknown := h.log.matching("ignoring unknown message type")
	if len(unknown) != 1 || len(unknown[0]) > maxLogLine+100 {
		t.Fatalf("the unknown type was logged as %d lines, the first %d bytes long", len(unknown), len(unknown[0]))
	}

	garbage := zmq4.NewMsgFrom(delimiter, []byte("0000"), []byte("{}"), []byte("{}"), []byte("{}"), []byte("{}"))
	for range 10000 {
		if err := h.c.shell.SendMulti(garbage); err != nil {
			t.Fatal(err)
		}
	}
	// Shell is read in order: once this is answered, the garbage was seen.
	id := h.c.send(h.c.shell, "kernel_info_request", struct{}{})
	h.c.reply(h.c.shellIn, id, "kernel_info_reply")
	h.stop()
	dropped := len(h.log.matching("dropped a message"))
	if dropped == 0 || dropped > 2*logBurst {
		t.Errorf("%d lines about dropped messages", dropped)
	}
	if len(h.log.matching("similar log lines suppressed")) == 0 {
		t.Error("no count of the suppressed lines")
	}
}

// An empty key is a warning in the log.
func TestEmptyKeyWarns(t *testing.T) {
	logw := &testLogger{t: t}
	defer logw.stop()
	k, err := Listen(ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", SignatureScheme: schemeHMACSHA256},
		Options{Logger: log.New(logw, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	if len(logw.matching("key is empty")) != 1 {
		t.Errorf("log: %q", logw.lines)
	}
}

// clip cuts at a rune boundary and says how long the text was.
func TestClip(t *testing.T) {
	if got := clip("short", 10); got != "short" {
		t.Errorf("clip(short) = %q", got)
	}
	got := clip(strings.Repeat("é", 10), 5) // 2 bytes each
	if got != "éé…(20 bytes)" {
		t.Errorf("clip = %q", got)
	}
	var w strings.Builder
	l := newPeerLog(log.New(&w, "", 0))
	for range logBurst + 5 {
		l.Printf("line")
	}
	l.flush()
	if n := strings.Count(w.String(), "line\n"); n != logBurst {
		t.Errorf("%d lines passed, want %d", n, logBurst)
	}
	if !strings.Contains(w.String(), "(5 similar log lines suppressed)") {
		t.Errorf("log:\n%s", w.String())
	}
}

// When a control request waits for the interpreter and controlQueueSize
// more wait behind it, the next is answered at once with an error, and an
// interrupt still gets through.
func TestControlQueueFull(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	slow := h.c.send(h.c.control, "complete_request", map[string]any{"code": "slow", "cursor_pos": 4})
	<-h.interp.completing
	waiting := map[string]bool{slow: true}
	for range controlQueueSize {
		waiting[h.c.send(h.c.control, "complete_request", map[string]any{"code": "fm", "cursor_pos": 2})] = true
	}
	refused := h.c.send(h.c.control, "complete_request", map[string]any{"code": "fm", "cursor_pos": 2})
	r := h.c.reply(h.c.controlIn, refused, "complete_reply")
	if ename := contentField(t, r, "ename"); ename != "KernelBusy" {
		t.Errorf("the request over the queue got %s", r.Content)
	}
	intID := h.c.send(h.c.control, "interrupt_request", struct{}{})
	h.c.reply(h.c.controlIn, intID, "interrupt_reply")
	close(h.interp.completeRelease)
	for len(waiting) > 0 {
		m := h.c.recv(h.c.controlIn, "complete_reply")
		if !waiting[parentID(m)] || m.Header.MsgType != "complete_reply" {
			t.Fatalf("unexpected %s for %s", m.Header.MsgType, parentID(m))
		}
		delete(waiting, parentID(m))
	}
}
