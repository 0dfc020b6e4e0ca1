package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
)

// request is one authenticated message and the socket it came in on, where
// its reply goes.
type request struct {
	channel string
	sock    *routerSocket
	msg     Message
	size    int // of its frames, to give a large one's memory back
}

// outcome is what a handler produced.
type outcome struct {
	content  any            // the reply content (unused when there is no reply)
	metadata map[string]any // the reply metadata; nil means {}
	// then runs after the reply and the idle status are out: aborting the
	// queue after a failed cell, ending the kernel after a shutdown.
	then func()
}

type handler func(k *Kernel, ctx context.Context, req *request) outcome

type channelSet uint8

const (
	onShell channelSet = 1 << iota
	onControl
	onStdin
)

func channelBit(channel string) channelSet {
	switch channel {
	case channelShell:
		return onShell
	case channelControl:
		return onControl
	case channelStdin:
		return onStdin
	}
	return 0
}

// route says where a message type is accepted, what it is answered with and
// who handles it.
type route struct {
	channels  channelSet
	replyType string // "" for messages that get no reply
	handle    handler
}

// routes is the dispatch table: every message type the kernel handles, in
// one place. Anything not listed is logged and ignored. Requests on shell and
// control are wrapped in busy/idle status messages on iopub with the request
// as parent (clients wait for that idle, also after kernel_info). Messages on
// stdin are replies and are not wrapped.
//
// It is filled in init because the handlers refer back to serve, which reads
// the table.
var routes map[string]route

func init() {
	routes = map[string]route{
		"kernel_info_request": {onShell | onControl, "kernel_info_reply", (*Kernel).handleKernelInfo},
		"execute_request":     {onShell, "execute_reply", (*Kernel).handleExecute},
		"complete_request":    {onShell | onControl, "complete_reply", (*Kernel).handleComplete},
		"inspect_request":     {onShell | onControl, "inspect_reply", (*Kernel).handleInspect},
		"is_complete_request": {onShell | onControl, "is_complete_reply", (*Kernel).handleIsComplete},
		"history_request":     {onShell | onControl, "history_reply", (*Kernel).handleHistory},
		"comm_info_request":   {onShell | onControl, "comm_info_reply", (*Kernel).handleCommInfo},
		"connect_request":     {onShell | onControl, "connect_reply", (*Kernel).handleConnect}, // deprecated in 5.1, still answered
		"comm_open":           {onShell, "", (*Kernel).handleCommOpen},
		"comm_msg":            {onShell, "", (*Kernel).ignoreComm},
		"comm_close":          {onShell, "", (*Kernel).ignoreComm},
		// Shutdown belongs on control since 5.x; old clients send it on shell.
		"shutdown_request":  {onControl | onShell, "shutdown_reply", (*Kernel).handleShutdown},
		"interrupt_request": {onControl, "interrupt_reply", (*Kernel).handleInterrupt},
		"input_reply":       {onStdin, "", (*Kernel).handleInputReply},
	}
}

// serve handles one request: status busy, the handler, the reply, status
// idle, in that order.
func (k *Kernel) serve(ctx context.Context, req *request) {
	msgType := req.msg.Header.MsgType
	r, known := routes[msgType]
	wrap := req.channel != channelStdin
	if wrap {
		k.publishStatus("busy", req)
	}
	var out outcome
	switch {
	case !known:
		k.plog.Printf("%s: ignoring unknown message type %q", req.channel, field(msgType))
	case r.channels&channelBit(req.channel) == 0:
		k.plog.Printf("%s: %s is not accepted on this channel", req.channel, msgType)
		if r.replyType != "" {
			k.reply(req, r.replyType, errorReply("WrongChannel",
				fmt.Sprintf("%s is not accepted on the %s channel", msgType, req.channel)), nil)
		}
	case k.isStopping() && msgType != "shutdown_request":
		// The interpreter is closed or closing; only a repeated shutdown
		// request still gets a normal answer.
		if r.replyType != "" {
			k.reply(req, r.replyType, errorReply("ShuttingDown", "the kernel is shutting down"), nil)
		}
	default:
		out = k.call(ctx, r.handle, req)
		if r.replyType != "" {
			k.reply(req, r.replyType, out.content, out.metadata)
		}
	}
	if wrap {
		k.publishStatus("idle", req)
	}
	if req.size >= largeMessage {
		k.memory.soon()
	}
	if out.then != nil {
		out.then()
	}
}

// call runs a handler, turning a panic (a bug, here or in the interpreter)
// into an error reply instead of a dead kernel.
func (k *Kernel) call(ctx context.Context, h handler, req *request) (out outcome) {
	defer func() {
		if p := recover(); p != nil {
			k.log.Printf("panic while handling %s: %v\n%s", req.msg.Header.MsgType, p, debug.Stack())
			out = outcome{content: errorReply("KernelError", fmt.Sprintf("internal error: %v", p))}
		}
	}()
	return h(k, ctx, req)
}

func (k *Kernel) publishStatus(state string, req *request) {
	k.pub.publish("status", req.msg.RawHeader, statusContent{ExecutionState: state})
}

// reply sends a reply to req on the socket req came from.
func (k *Kernel) reply(req *request, msgType string, content any, metadata map[string]any) {
	body, err := json.Marshal(content)
	if err != nil {
		// Typically a value from the interpreter JSON cannot represent
		// (NaN, a channel). The client still needs its reply.
		k.log.Printf("cannot encode %s: %v", msgType, err)
		body, _ = json.Marshal(errorReply("KernelError", "the reply could not be encoded: "+err.Error()))
	}
	meta := emptyObject
	if metadata != nil {
		if m, err := json.Marshal(metadata); err == nil {
			meta = m
		}
	}
	frames, err := EncodeMessage(Message{
		Identities:   req.msg.Identities,
		Header:       newHeader(msgType, k.session),
		ParentHeader: req.msg.RawHeader,
		Metadata:     meta,
		Content:      body,
	}, k.auth)
	if err != nil {
		k.log.Printf("cannot encode %s: %v", msgType, err)
		return
	}
	// The iopub messages published while handling req precede its reply,
	// stream text included, as in ipykernel.
	k.pub.flush()
	// Tests see the write before the client can: a client that has read
	// the message finds it recorded.
	if k.pub.onSent != nil {
		k.pub.onSent(req.channel, msgType)
	}
	if err := req.sock.Send(frames); err != nil {
		k.log.Printf("%s: send %s: %v", req.channel, msgType, err)
	}
}

// receive reads sock until it is closed, handing each authenticated message
// to deliver. Messages that fail to decode (no delimiter, bad or missing
// signature, replayed, bad header) are logged and dropped: never acted on.
func (k *Kernel) receive(ctx context.Context, sock *routerSocket, channel string, deliver func(context.Context, *request)) {
	for {
		frames, release, err := sock.Recv()
		if err != nil {
			if ctx.Err() == nil {
				k.log.Printf("%s: receive: %v", channel, err)
			}
			return
		}
		size := 0
		for _, f := range frames {
			size += len(f)
		}
		// The frames are this goroutine's: the message keeps them rather
		// than copies.
		msg, err := decodeMessage(frames, k.auth, false)
		if err != nil {
			if size >= largeMessage {
				// Nothing refers to the frames now: the next large
				// frame may have their memory (offered before the
				// budget is released, so the next one finds it).
				for _, f := range frames {
					k.socks.spare.put(f) // and schedules a memory return
				}
			}
			release()
			k.plog.Printf("%s: dropped a message: %v", channel, err)
			continue
		}
		release() // checked: what it holds is no longer unverified
		deliver(ctx, &request{channel: channel, sock: sock, msg: msg, size: size})
	}
}

// urgent reports the requests that are served by the reader as they
// arrive, on shell and control alike, never queued behind another request:
// an interrupt must reach the running cell while a completion waits for it,
// and a shutdown must not wait for the cells queued before it.
func urgent(req *request) bool {
	switch req.msg.Header.MsgType {
	case "interrupt_request", "shutdown_request":
		return true
	}
	return false
}

// readControl serves urgent control requests at once and queues the others
// for the control worker. When the queue is full (a client sent many while
// one waits for the interpreter) a request is answered with an error rather
// than waited on, so the reader is always free for the next interrupt.
func (k *Kernel) readControl(ctx context.Context) {
	k.receive(ctx, k.socks.control, channelControl, func(ctx context.Context, req *request) {
		if urgent(req) {
			k.serve(ctx, req)
			return
		}
		select {
		case k.controlQueue <- req:
		default:
			k.plog.Printf("control: %d requests are waiting; refusing a %s", controlQueueSize, field(req.msg.Header.MsgType))
			if r, ok := routes[req.msg.Header.MsgType]; ok && r.replyType != "" {
				k.reply(req, r.replyType, errorReply("KernelBusy",
					"too many control requests are waiting for the kernel"), nil)
			}
		}
	})
}

// controlWorker serves queued control requests in order until ctx ends.
func (k *Kernel) controlWorker(ctx context.Context) {
	for {
		select {
		case req := <-k.controlQueue:
			k.serve(ctx, req)
		case <-ctx.Done():
			return
		}
	}
}

// readShell queues shell requests for the shell worker, but serves urgent
// ones (an old client's shutdown_request) at once. After ctx ends it drops
// them, until the socket is closed.
func (k *Kernel) readShell(ctx context.Context) {
	k.receive(ctx, k.socks.shell, channelShell, func(ctx context.Context, req *request) {
		if urgent(req) && ctx.Err() == nil {
			k.serve(ctx, req)
			return
		}
		select {
		case k.shellQueue <- req:
			if k.onShellQueued != nil {
				k.onShellQueued(req)
			}
		case <-ctx.Done():
		}
	})
}

// shellWorker handles shell requests one at a time, in order, until ctx ends.
// Cells run here, so Execute is never called concurrently.
func (k *Kernel) shellWorker(ctx context.Context) {
	for {
		if ctx.Err() != nil {
			return
		}
		select {
		case req := <-k.shellQueue:
			k.serve(ctx, req)
		case <-ctx.Done():
			return
		}
	}
}
