package kernel

import (
	"context"
	"errors"
	"log"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func TestKernelInfo(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.send(h.c.shell, "kernel_info_request", struct{}{})
	r := h.c.reply(h.c.shellIn, id, "kernel_info_reply")
	var info kernelInfoReplyContent
	decodeContentTo(t, r, &info)
	if info.Status != "ok" || info.ProtocolVersion != "5.3" || info.Implementation != "gomp" ||
		info.LanguageInfo.Name != "go" || info.LanguageInfo.FileExtension != ".go" ||
		info.Banner != "gomp test kernel" || len(info.HelpLinks) != 1 || info.ImplementationVersion != "0.0.1-test" {
		t.Errorf("kernel_info_reply = %+v", info)
	}
	if r.Header.Version != "5.3" || r.Header.Session == "" || r.Header.MsgID == "" {
		t.Errorf("reply header = %+v", r.Header)
	}
	if _, err := time.Parse(time.RFC3339Nano, r.Header.Date); err != nil || !strings.HasSuffix(r.Header.Date, "Z") {
		t.Errorf("date %q is not ISO 8601 with a zone: %v", r.Header.Date, err)
	}
	// jupyter_client keeps resending kernel_info unless it sees busy/idle.
	if got := msgTypes(h.c.outputs(id)); got != "status:busy status:idle" {
		t.Errorf("iopub for kernel_info: %s", got)
	}

	// Also answered on control.
	id = h.c.send(h.c.control, "kernel_info_request", struct{}{})
	h.c.reply(h.c.controlIn, id, "kernel_info_reply")
	h.c.outputs(id)
}

func TestExecuteFlow(t *testing.T) {
	h := startKernel(t, harnessOptions{})

	id := h.c.execute("print hi", nil)
	r := h.c.reply(h.c.shellIn, id, "execute_reply")
	var rep executeReplyContent
	decodeContentTo(t, r, &rep)
	if rep.Status != "ok" || rep.ExecutionCount != 1 || rep.Payload == nil || rep.UserExpressions == nil {
		t.Errorf("reply = %+v", rep)
	}
	out := h.c.outputs(id)
	if got := msgTypes(out); got != "status:busy execute_input stream status:idle" {
		t.Fatalf("iopub: %s", got)
	}
	if c := contentField(t, out[1], "execution_count"); c != 1.0 {
		t.Errorf("execute_input count %v", c)
	}
	var s streamContent
	decodeContentTo(t, out[2], &s)
	if s != (streamContent{Name: "stdout", Text: "hi"}) {
		t.Errorf("stream = %+v", s)
	}

	id = h.c.execute("value 42", nil)
	decodeContentTo(t, h.c.reply(h.c.shellIn, id, "execute_reply"), &rep)
	if rep.Status != "ok" || rep.ExecutionCount != 2 {
		t.Errorf("reply = %+v", rep)
	}
	out = h.c.outputs(id)
	if got := msgTypes(out); got != "status:busy execute_input execute_result status:idle" {
		t.Fatalf("iopub: %s", got)
	}
	var res executeResultContent
	decodeContentTo(t, out[2], &res)
	if res.ExecutionCount != 2 || res.Data["text/plain"] != "42" || res.Metadata == nil {
		t.Errorf("execute_result = %+v", res)
	}

	// store_history false: shown with the current count, which stays.
	id = h.c.execute("value 1", map[string]any{"store_history": false})
	decodeContentTo(t, h.c.reply(h.c.shellIn, id, "execute_reply"), &rep)
	h.c.outputs(id)
	if rep.ExecutionCount != 2 {
		t.Errorf("store_history=false count %d, want 2", rep.ExecutionCount)
	}
}

// The kernel writes a cell's messages in ipykernel's order: its outputs
// (pending stream text included) before its reply, the reply before idle.
// Clients read shell and iopub separately, so the order is observed where
// the kernel writes.
func TestExecuteWriteOrder(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	record := func(channel, msgType string) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, channel+":"+msgType)
	}
	h := startKernel(t, harnessOptions{onSent: record})
	for code, want := range map[string]string{
		"print hi": "iopub:status iopub:execute_input iopub:stream shell:execute_reply iopub:status",
		"value 1":  "iopub:status iopub:execute_input iopub:execute_result shell:execute_reply iopub:status",
		"fail":     "iopub:status iopub:execute_input iopub:error shell:execute_reply iopub:status",
	} {
		mu.Lock()
		sent = nil
		mu.Unlock()
		id := h.c.execute(code, nil)
		h.c.reply(h.c.shellIn, id, "execute_reply")
		h.c.outputs(id)
		mu.Lock()
		got := strings.Join(sent, " ")
		mu.Unlock()
		if got != want {
			t.Errorf("%s: written %s, want %s", code, got, want)
		}
	}
}

func TestExecuteSilent(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	for _, code := range []string{"print hi", "value 1", "fail", "display"} {
		id := h.c.execute(code, map[string]any{"silent": true})
		var rep executeReplyContent
		decodeContentTo(t, h.c.reply(h.c.shellIn, id, "execute_reply"), &rep)
		if rep.ExecutionCount != 0 {
			t.Errorf("%s: silent count %d", code, rep.ExecutionCount)
		}
		if got := msgTypes(h.c.outputs(id)); got != "status:busy status:idle" {
			t.Errorf("%s: silent cell published %s", code, got)
		}
	}
	// A silent failure does not abort what follows, and counts stay.
	id := h.c.execute("value 7", nil)
	var rep executeReplyContent
	decodeContentTo(t, h.c.reply(h.c.shellIn, id, "execute_reply"), &rep)
	if rep.Status != "ok" || rep.ExecutionCount != 1 {
		t.Errorf("after silent cells: %+v", rep)
	}
	h.c.outputs(id)
}

func TestExecuteError(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("fail", nil)
	r := h.c.reply(h.c.shellIn, id, "execute_reply")
	var rep executeErrorReplyContent
	decodeContentTo(t, r, &rep)
	if rep.Status != "error" || rep.EName != "CompileError" || rep.EValue != "boom" ||
		len(rep.Traceback) != 1 || rep.ExecutionCount != 1 {
		t.Errorf("reply = %+v", rep)
	}
	out := h.c.outputs(id)
	if got := msgTypes(out); got != "status:busy execute_input error status:idle" {
		t.Fatalf("iopub: %s (want exactly one error)", got)
	}
	var e errorContent
	decodeContentTo(t, out[2], &e)
	if e.EName != "CompileError" || e.EValue != "boom" {
		t.Errorf("error = %+v", e)
	}
}

func TestInterpreterPanicIsAnError(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("panic", nil)
	if s := contentField(t, h.c.reply(h.c.shellIn, id, "execute_reply"), "ename"); s != "KernelError" {
		t.Errorf("ename %v", s)
	}
	if got := msgTypes(h.c.outputs(id)); got != "status:busy execute_input error status:idle" {
		t.Errorf("iopub: %s", got)
	}
	// Still alive.
	id = h.c.execute("value 1", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	h.c.outputs(id)
}

func TestStopOnErrorAbortsQueuedCells(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	// The failing cell waits until both cells behind it are queued, so they
	// are "already queued" when it fails.
	failID := h.c.execute("wait-queued", nil)
	a := h.c.execute("value 1", nil)
	b := h.c.execute("value 2", nil)

	if s := contentField(t, h.c.reply(h.c.shellIn, failID, "execute_reply"), "status"); s != "error" {
		t.Fatalf("failing cell status %v", s)
	}
	for _, id := range []string{a, b} {
		r := h.c.reply(h.c.shellIn, id, "execute_reply")
		if s := contentField(t, r, "status"); s != "aborted" {
			t.Errorf("queued cell status %v, want aborted", s)
		}
	}
	h.c.outputs(failID)
	for _, id := range []string{a, b} {
		if got := msgTypes(h.c.outputs(id)); got != "status:busy status:idle" {
			t.Errorf("aborted cell iopub: %s", got)
		}
	}
	if got := h.interp.Executed(); len(got) != 1 {
		t.Errorf("executed %q, want only the failing cell", got)
	}

	// A cell sent after the abort runs.
	id := h.c.execute("value 3", nil)
	if s := contentField(t, h.c.reply(h.c.shellIn, id, "execute_reply"), "status"); s != "ok" {
		t.Errorf("later cell status %v", s)
	}
	h.c.outputs(id)
}

func TestStopOnErrorFalse(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	failID := h.c.execute("wait-queued", map[string]any{"stop_on_error": false})
	a := h.c.execute("value 1", nil)
	b := h.c.execute("value 2", nil)
	h.c.reply(h.c.shellIn, failID, "execute_reply")
	for _, id := range []string{a, b} {
		if s := contentField(t, h.c.reply(h.c.shellIn, id, "execute_reply"), "status"); s != "ok" {
			t.Errorf("status %v, want ok", s)
		}
	}
	for _, id := range []string{failID, a, b} {
		h.c.outputs(id)
	}
}

func TestInterruptByMessage(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("block", nil)
	// execute_input is published once the cell is registered as running.
	h.c.recv(h.c.iopubIn, "busy")
	if m := h.c.recv(h.c.iopubIn, "execute_input"); m.Header.MsgType != "execute_input" {
		t.Fatalf("got %s", m.Header.MsgType)
	}
	// Control is served while the shell is busy.
	infoID := h.c.send(h.c.control, "kernel_info_request", struct{}{})
	h.c.reply(h.c.controlIn, infoID, "kernel_info_reply")
	if got := msgTypes(h.c.outputs(infoID)); got != "status:busy status:idle" {
		t.Errorf("kernel_info on control during a cell: %s", got)
	}
	intID := h.c.send(h.c.control, "interrupt_request", struct{}{})
	if s := contentField(t, h.c.reply(h.c.controlIn, intID, "interrupt_reply"), "status"); s != "ok" {
		t.Errorf("interrupt_reply status %v", s)
	}
	r := h.c.reply(h.c.shellIn, id, "execute_reply")
	if s := contentField(t, r, "ename"); s != "Interrupted" {
		t.Errorf("interrupted cell: %s", r.Content)
	}
}

func TestInterruptBySignal(t *testing.T) {
	h := startKernel(t, harnessOptions{handleSIGINT: true})
	id := h.c.execute("block", nil)
	h.c.recv(h.c.iopubIn, "busy")
	h.c.recv(h.c.iopubIn, "execute_input")
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := h.c.reply(h.c.shellIn, id, "execute_reply")
	if s := contentField(t, r, "ename"); s != "Interrupted" {
		t.Errorf("interrupted cell: %s", r.Content)
	}
}

// A frontend connects its channels one by one: a cell that reads at once
// may ask before the stdin socket has shaken hands, and the input_request
// must wait for it rather than fail.
func TestStdinRequestWaitsForTheStdinSocket(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	late := dialClient(t, h.k.ConnectionInfo(), channelStdin)
	defer late.close()
	late.waitReady()
	id := late.execute("input", map[string]any{"allow_stdin": true})
	late.recv(late.iopubIn, "execute_input")
	late.dialChannel(h.k.ConnectionInfo(), channelStdin, late.stdin)
	req := late.recv(late.stdinIn, "input_request")
	msg, _ := late.message("input_reply", inputReplyContent{Value: "ana"})
	msg.ParentHeader = req.RawHeader
	frames, err := EncodeMessage(msg, late.auth)
	if err != nil {
		t.Fatal(err)
	}
	late.sendFrames(late.stdin, frames)
	if s := contentField(t, late.reply(late.shellIn, id, "execute_reply"), "status"); s != "ok" {
		t.Errorf("status %v", s)
	}
}

func TestStdinRoundTrip(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("input", map[string]any{"allow_stdin": true})
	req := h.c.recv(h.c.stdinIn, "input_request")
	if req.Header.MsgType != "input_request" || parentID(req) != id {
		t.Fatalf("got %s for %s", req.Header.MsgType, parentID(req))
	}
	var ir inputRequestContent
	decodeContentTo(t, req, &ir)
	if ir.Prompt != "name? " || ir.Password {
		t.Errorf("input_request = %+v", ir)
	}
	msg, _ := h.c.message("input_reply", inputReplyContent{Value: "bob"})
	msg.ParentHeader = req.RawHeader
	frames, err := EncodeMessage(msg, h.c.auth)
	if err != nil {
		t.Fatal(err)
	}
	h.c.sendFrames(h.c.stdin, frames)

	if s := contentField(t, h.c.reply(h.c.shellIn, id, "execute_reply"), "status"); s != "ok" {
		t.Errorf("status %v", s)
	}
	out := h.c.outputs(id)
	var s streamContent
	decodeContentTo(t, out[2], &s)
	if s.Text != "hello bob" {
		t.Errorf("iopub %s, stream %+v", msgTypes(out), s)
	}
}

// jupyter_client's input() (jupyter console) answers with an empty parent
// header; ipykernel takes it as the answer to its one waiting request.
func TestStdinReplyWithoutParent(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("input", map[string]any{"allow_stdin": true})
	h.c.recv(h.c.stdinIn, "input_request")
	h.c.send(h.c.stdin, "input_reply", inputReplyContent{Value: "ann"})
	if s := contentField(t, h.c.reply(h.c.shellIn, id, "execute_reply"), "status"); s != "ok" {
		t.Errorf("status %v", s)
	}
	out := h.c.outputs(id)
	var s streamContent
	decodeContentTo(t, out[2], &s)
	if s.Text != "hello ann" {
		t.Errorf("iopub %s, stream %+v", msgTypes(out), s)
	}
}

func TestStdinNotAllowed(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("input", map[string]any{"allow_stdin": false})
	r := h.c.reply(h.c.shellIn, id, "execute_reply")
	if v := contentField(t, r, "evalue"); !strings.Contains(v.(string), "allow_stdin") {
		t.Errorf("evalue %v", v)
	}
	h.c.outputs(id)
}

func TestStdinInterrupted(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("input", map[string]any{"allow_stdin": true})
	h.c.recv(h.c.stdinIn, "input_request")
	intID := h.c.send(h.c.control, "interrupt_request", struct{}{})
	h.c.reply(h.c.controlIn, intID, "interrupt_reply")
	if s := contentField(t, h.c.reply(h.c.shellIn, id, "execute_reply"), "ename"); s != "StdinError" {
		t.Errorf("ename %v", s)
	}
}

func TestBadSignatureIsNotExecuted(t *testing.T) {
	h := startKernel(t, harnessOptions{})

	forger := NewAuthenticator("wrong-key")
	msg, _ := h.c.message("execute_request", map[string]any{"code": "print forged", "silent": false})
	forged, err := EncodeMessage(msg, forger)
	if err != nil {
		t.Fatal(err)
	}
	h.c.sendFrames(h.c.shell, forged)

	msg, _ = h.c.message("execute_request", map[string]any{"code": "print unsigned", "silent": false})
	unsigned, err := EncodeMessage(msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.c.sendFrames(h.c.shell, unsigned)

	// A good message replayed is refused the second time.
	msg, good := h.c.message("execute_request", map[string]any{"code": "print once", "silent": false})
	h.c.sendFrames(h.c.shell, good)
	h.c.sendFrames(h.c.shell, good)
	h.c.reply(h.c.shellIn, msg.Header.MsgID, "execute_reply")
	h.c.outputs(msg.Header.MsgID)

	// Shell is served in order: once this is answered, the bad ones were
	// seen, and dropped without any busy status.
	id := h.c.send(h.c.shell, "kernel_info_request", struct{}{})
	h.c.reply(h.c.shellIn, id, "kernel_info_reply")
	h.c.outputs(id)
	if got := h.interp.Executed(); len(got) != 1 || got[0] != "print once" {
		t.Errorf("executed %q", got)
	}
	select {
	case m := <-h.c.shellIn:
		t.Errorf("unexpected shell message %s", m.Header.MsgType)
	default:
	}
}

func TestShutdown(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.send(h.c.control, "shutdown_request", map[string]any{"restart": true})
	r := h.c.reply(h.c.controlIn, id, "shutdown_reply")
	var rep shutdownReplyContent
	decodeContentTo(t, r, &rep)
	if rep.Status != "ok" || !rep.Restart {
		t.Errorf("shutdown_reply = %+v", rep)
	}
	if err := h.wait(); err != nil {
		t.Errorf("Serve after shutdown_request: %v, want nil", err)
	}
	if n := h.interp.Closes(); n != 1 {
		t.Errorf("interpreter closed %d times", n)
	}
}

func TestShutdownInterruptsRunningCell(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	cell := h.c.execute("block", nil)
	h.c.recv(h.c.iopubIn, "busy")
	h.c.recv(h.c.iopubIn, "execute_input")
	id := h.c.send(h.c.control, "shutdown_request", map[string]any{"restart": false})
	if v := contentField(t, h.c.reply(h.c.controlIn, id, "shutdown_reply"), "restart"); v != false {
		t.Errorf("restart %v", v)
	}
	if s := contentField(t, h.c.reply(h.c.shellIn, cell, "execute_reply"), "ename"); s != "Interrupted" {
		t.Errorf("running cell: %v", s)
	}
	if err := h.wait(); err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestShutdownOnShell(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.send(h.c.shell, "shutdown_request", map[string]any{"restart": false})
	h.c.reply(h.c.shellIn, id, "shutdown_reply")
	if err := h.wait(); err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestIPCTransport(t *testing.T) {
	h := startKernel(t, harnessOptions{transport: "ipc"})
	id := h.c.execute("value 5", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	if got := msgTypes(h.c.outputs(id)); got != "status:busy execute_input execute_result status:idle" {
		t.Errorf("iopub: %s", got)
	}
	pingHeartbeat(t, h.c.hb)
}

func TestHeartbeat(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	for range 3 {
		pingHeartbeat(t, h.c.hb)
	}
}

func pingHeartbeat(t *testing.T, hb zmq4.Socket) {
	t.Helper()
	if err := hb.Send(zmq4.NewMsgString("ping")); err != nil {
		t.Fatal(err)
	}
	got, err := hb.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Frames) != 1 || string(got.Frames[0]) != "ping" {
		t.Errorf("heartbeat echoed %q", got.Frames)
	}
}

func TestCommOpenIsClosed(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.send(h.c.shell, "comm_open", map[string]any{"comm_id": "c1", "target_name": "jupyter.widget", "data": map[string]any{}})
	out := h.c.outputs(id)
	if got := msgTypes(out); got != "status:busy comm_close status:idle" {
		t.Fatalf("iopub: %s", got)
	}
	if v := contentField(t, out[1], "comm_id"); v != "c1" {
		t.Errorf("comm_close for %v", v)
	}
	for _, typ := range []string{"comm_msg", "comm_close"} {
		id := h.c.send(h.c.shell, typ, map[string]any{"comm_id": "c1", "data": map[string]any{}})
		if got := msgTypes(h.c.outputs(id)); got != "status:busy status:idle" {
			t.Errorf("%s: %s", typ, got)
		}
	}
	id = h.c.send(h.c.shell, "comm_info_request", map[string]any{})
	r := h.c.reply(h.c.shellIn, id, "comm_info_reply")
	if v, ok := contentField(t, r, "comms").(map[string]any); !ok || len(v) != 0 {
		t.Errorf("comms %v", v)
	}
	h.c.outputs(id)
}

func TestEditorRequests(t *testing.T) {
	h := startKernel(t, harnessOptions{})

	id := h.c.send(h.c.shell, "complete_request", map[string]any{"code": "fmt.Pr", "cursor_pos": 6})
	var comp completeReplyContent
	decodeContentTo(t, h.c.reply(h.c.shellIn, id, "complete_reply"), &comp)
	if comp.Status != "ok" || len(comp.Matches) != 2 || comp.CursorStart != 4 || comp.CursorEnd != 6 {
		t.Errorf("complete_reply %+v", comp)
	}
	h.c.outputs(id)

	// Served on control too, as when the shell is busy.
	id = h.c.send(h.c.control, "inspect_request", map[string]any{"code": "fmt", "cursor_pos": 3, "detail_level": 0})
	var ins inspectReplyContent
	decodeContentTo(t, h.c.reply(h.c.controlIn, id, "inspect_reply"), &ins)
	if !ins.Found || ins.Data["text/plain"] != "package fmt" {
		t.Errorf("inspect_reply %+v", ins)
	}
	h.c.outputs(id)

	id = h.c.send(h.c.shell, "is_complete_request", map[string]any{"code": "func f() {"})
	var isc isCompleteReplyContent
	decodeContentTo(t, h.c.reply(h.c.shellIn, id, "is_complete_reply"), &isc)
	if isc.Status != "incomplete" || isc.Indent != "\t" {
		t.Errorf("is_complete_reply %+v", isc)
	}
	h.c.outputs(id)

	id = h.c.send(h.c.shell, "connect_request", map[string]any{})
	var cr connectReplyContent
	decodeContentTo(t, h.c.reply(h.c.shellIn, id, "connect_reply"), &cr)
	if cr.ShellPort != h.k.ConnectionInfo().ShellPort || cr.ShellPort == 0 {
		t.Errorf("connect_reply %+v", cr)
	}
	h.c.outputs(id)
}

func TestMalformedAndUnknownRequests(t *testing.T) {
	h := startKernel(t, harnessOptions{})

	// Content of the wrong shape: an error reply, not a crash.
	id := h.c.send(h.c.shell, "complete_request", []int{1, 2})
	r := h.c.reply(h.c.shellIn, id, "complete_reply")
	if s := contentField(t, r, "status"); s != "error" {
		t.Errorf("status %v", s)
	}
	h.c.outputs(id)

	id = h.c.send(h.c.shell, "execute_request", map[string]any{"code": 42})
	if s := contentField(t, h.c.reply(h.c.shellIn, id, "execute_reply"), "ename"); s != "BadRequest" {
		t.Errorf("ename %v", s)
	}
	h.c.outputs(id)

	// Unknown types: ignored, but wrapped in busy/idle.
	id = h.c.send(h.c.shell, "frobnicate_request", map[string]any{})
	if got := msgTypes(h.c.outputs(id)); got != "status:busy status:idle" {
		t.Errorf("iopub: %s", got)
	}

	// A request on a channel that does not serve it gets an error reply.
	id = h.c.send(h.c.control, "execute_request", map[string]any{"code": "print x"})
	if s := contentField(t, h.c.reply(h.c.controlIn, id, "execute_reply"), "ename"); s != "WrongChannel" {
		t.Errorf("ename %v", s)
	}
	h.c.outputs(id)
	if got := h.interp.Executed(); len(got) != 0 {
		t.Errorf("executed %q", got)
	}
}

func TestDisplayAndClear(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("display", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	out := h.c.outputs(id)
	if got := msgTypes(out); got != "status:busy execute_input display_data update_display_data status:idle" {
		t.Fatalf("iopub: %s", got)
	}
	for _, m := range out[2:4] {
		var d displayDataContent
		decodeContentTo(t, m, &d)
		if d.Transient == nil || d.Transient.DisplayID != "d1" || d.Data["text/html"] == nil || d.Metadata == nil {
			t.Errorf("%s = %+v", m.Header.MsgType, d)
		}
	}

	id = h.c.execute("clear", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	out = h.c.outputs(id)
	if got := msgTypes(out); got != "status:busy execute_input clear_output status:idle" {
		t.Fatalf("iopub: %s", got)
	}
	if w := contentField(t, out[2], "wait"); w != true {
		t.Errorf("wait %v", w)
	}
}

func TestStreamsAreCoalescedInOrder(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	const n = 5000
	id := h.c.execute("many 5000", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	out := h.c.outputs(id)
	var text strings.Builder
	streams := 0
	for _, m := range out[2 : len(out)-1] {
		if m.Header.MsgType != "stream" {
			t.Fatalf("unexpected %s among the output", m.Header.MsgType)
		}
		var s streamContent
		decodeContentTo(t, m, &s)
		text.WriteString(s.Text)
		streams++
	}
	if text.String() != strings.Repeat("x\n", n) {
		t.Errorf("got %d bytes of text, want %d", text.Len(), 2*n)
	}
	t.Logf("%d writes became %d stream messages", n, streams)
}

func TestOutputAfterExecuteReturns(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("background", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	h.c.outputs(id)
	close(h.interp.release)
	<-h.interp.lateDone
	m := h.c.recv(h.c.iopubIn, "late stream")
	if m.Header.MsgType != "stream" || parentID(m) != id || contentField(t, m, "text") != "late" {
		t.Errorf("late output: %s for %s: %s", m.Header.MsgType, parentID(m), m.Content)
	}
}

func TestHistoryRequest(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	for _, code := range []string{"value 1", "print a", "value 1"} {
		id := h.c.execute(code, nil)
		h.c.reply(h.c.shellIn, id, "execute_reply")
		h.c.outputs(id)
	}
	id := h.c.send(h.c.shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 2, "output": true, "raw": true})
	var rep struct {
		Status  string  `json:"status"`
		History [][]any `json:"history"`
	}
	decodeContentTo(t, h.c.reply(h.c.shellIn, id, "history_reply"), &rep)
	h.c.outputs(id)
	want := fmtJSON([][]any{{1, 2, []any{"print a", nil}}, {1, 3, []any{"value 1", "1"}}})
	if got := fmtJSON(rep.History); rep.Status != "ok" || got != want {
		t.Errorf("history %s, want %s", got, want)
	}

	id = h.c.send(h.c.control, "history_request", map[string]any{"hist_access_type": "search", "pattern": "value*", "unique": true, "output": false, "raw": true})
	decodeContentTo(t, h.c.reply(h.c.controlIn, id, "history_reply"), &rep)
	h.c.outputs(id)
	if got := fmtJSON(rep.History); got != `[[1,3,"value 1"]]` {
		t.Errorf("search: %s", got)
	}

	id = h.c.send(h.c.shell, "history_request", map[string]any{"hist_access_type": "sideways", "output": false, "raw": true})
	if s := contentField(t, h.c.reply(h.c.shellIn, id, "history_reply"), "status"); s != "error" {
		t.Errorf("bad hist_access_type: status %v", s)
	}
	h.c.outputs(id)
}

func TestStreamsKeepTheirOrder(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("mixed", nil)
	h.c.reply(h.c.shellIn, id, "execute_reply")
	var got []string
	for _, m := range h.c.outputs(id) {
		if m.Header.MsgType == "stream" {
			var s streamContent
			decodeContentTo(t, m, &s)
			got = append(got, s.Name+":"+s.Text)
		}
	}
	if strings.Join(got, " ") != "stdout:a stderr:b stdout:c" {
		t.Errorf("streams %q", got)
	}
}

// Values JSON cannot represent cost the output, not the reply.
func TestUnencodableValues(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	id := h.c.execute("nan", nil)
	if s := contentField(t, h.c.reply(h.c.shellIn, id, "execute_reply"), "ename"); s != "KernelError" {
		t.Errorf("ename %v", s)
	}
	if got := msgTypes(h.c.outputs(id)); got != "status:busy execute_input status:idle" {
		t.Errorf("iopub: %s", got)
	}
}

func TestServeFunction(t *testing.T) {
	logw := &testLogger{t: t}
	defer logw.stop()
	opts := Options{Logger: log.New(logw, "", 0)}

	interp := newFakeInterp()
	bad := ConnectionInfo{Transport: "tcp", IP: "256.0.0.1", SignatureScheme: schemeHMACSHA256}
	if err := Serve(context.Background(), bad, interp, opts); err == nil {
		t.Error("Serve on an address that cannot be bound succeeded")
	}
	if interp.Closes() != 1 {
		t.Errorf("interpreter closed %d times after a failed Listen", interp.Closes())
	}

	interp = newFakeInterp()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	conn := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "k", SignatureScheme: schemeHMACSHA256}
	if err := Serve(ctx, conn, interp, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve with a cancelled context: %v", err)
	}
	if interp.Closes() != 1 {
		t.Errorf("interpreter closed %d times", interp.Closes())
	}
	checkNoKernelGoroutines(t)
}
