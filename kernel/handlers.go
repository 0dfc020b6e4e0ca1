package kernel

import (
	"context"
	"encoding/json"
	"unicode/utf8"

	"gomp/backend"
)

// The handlers of every request but execute_request (execute.go) and
// history_request (history.go). Each decodes its content, asks the
// interpreter when needed and returns the reply content; malformed content
// gets an error reply.

// implementation is the kernel's name in kernel_info_reply.
const implementation = "gomp"

// decodeContent unmarshals req's content into dst, or returns the error reply
// to send instead.
func decodeContent(req *request, dst any) (outcome, bool) {
	if err := json.Unmarshal(req.msg.Content, dst); err != nil {
		return outcome{content: errorReply("BadRequest",
			"malformed "+req.msg.Header.MsgType+" content: "+err.Error())}, false
	}
	return outcome{}, true
}

func (k *Kernel) handleKernelInfo(_ context.Context, _ *request) outcome {
	info := k.interp.Info()
	links := make([]helpLink, 0, len(info.HelpLinks))
	for _, l := range info.HelpLinks {
		links = append(links, helpLink{Text: l.Text, URL: l.URL})
	}
	return outcome{content: kernelInfoReplyContent{
		Status:                "ok",
		ProtocolVersion:       protocolVersion,
		Implementation:        implementation,
		ImplementationVersion: info.ImplementationVer,
		LanguageInfo: languageInfo{
			Name:              info.Name,
			Version:           info.Version,
			Mimetype:          info.Mimetype,
			FileExtension:     info.FileExtension,
			PygmentsLexer:     info.PygmentsLexer,
			CodemirrorMode:    info.CodemirrorMode,
			NbconvertExporter: "script",
		},
		Banner:    info.Banner,
		HelpLinks: links,
		Debugger:  false,
	}}
}

// cursor returns the cursor position of a request, defaulting to the end of
// code and clamped into it: a frontend's off-by-one must not reach the
// interpreter as an out-of-range offset.
func cursor(code string, pos *int) int {
	n := utf8.RuneCountInString(code)
	if pos == nil || *pos > n {
		return n
	}
	return max(*pos, 0)
}

func (k *Kernel) handleComplete(_ context.Context, req *request) outcome {
	var c completeRequestContent
	if bad, ok := decodeContent(req, &c); !ok {
		return bad
	}
	comp := k.interp.Complete(c.Code, cursor(c.Code, c.CursorPos))
	reply := completeReplyContent{
		Status:      "ok",
		Matches:     comp.Matches,
		CursorStart: comp.CursorStart,
		CursorEnd:   comp.CursorEnd,
		Metadata:    comp.Metadata,
	}
	if reply.Matches == nil {
		reply.Matches = []string{}
	}
	if reply.Metadata == nil {
		reply.Metadata = map[string]any{}
	}
	return outcome{content: reply}
}

func (k *Kernel) handleInspect(_ context.Context, req *request) outcome {
	var c inspectRequestContent
	if bad, ok := decodeContent(req, &c); !ok {
		return bad
	}
	in := k.interp.Inspect(c.Code, cursor(c.Code, c.CursorPos), c.DetailLevel)
	data := in.Data
	if data == nil || !in.Found {
		data = backend.MIMEBundle{}
	}
	return outcome{content: inspectReplyContent{Status: "ok", Found: in.Found, Data: data, Metadata: map[string]any{}}}
}

func (k *Kernel) handleIsComplete(_ context.Context, req *request) outcome {
	var c isCompleteRequestContent
	if bad, ok := decodeContent(req, &c); !ok {
		return bad
	}
	res := k.interp.IsComplete(c.Code)
	reply := isCompleteReplyContent{Status: res.Status}
	switch res.Status {
	case "incomplete":
		reply.Indent = res.Indent
	case "complete", "invalid", "unknown":
	default:
		reply.Status = "unknown"
	}
	return outcome{content: reply}
}

// handleCommInfo: the kernel has no comm targets, so it never has comms open.
func (k *Kernel) handleCommInfo(_ context.Context, req *request) outcome {
	return outcome{content: commInfoReplyContent{Status: "ok", Comms: map[string]any{}}}
}

// handleCommOpen refuses every comm: the spec says a kernel that does not know
// the target answers with comm_close on iopub, so the frontend does not keep
// a comm that is open on one side only.
func (k *Kernel) handleCommOpen(_ context.Context, req *request) outcome {
	var c commOpenContent
	if err := json.Unmarshal(req.msg.Content, &c); err != nil || c.CommID == "" {
		k.plog.Printf("comm_open without a comm_id: ignored")
		return outcome{}
	}
	k.plog.Printf("comm_open for unknown target %q: closing comm %q", field(c.TargetName), field(c.CommID))
	k.pub.publish("comm_close", req.msg.RawHeader, commCloseContent{CommID: c.CommID, Data: map[string]any{}})
	return outcome{}
}

// ignoreComm: no comm is ever open, so messages for one have nowhere to go.
func (k *Kernel) ignoreComm(_ context.Context, _ *request) outcome { return outcome{} }

func (k *Kernel) handleConnect(_ context.Context, _ *request) outcome {
	b := k.socks.bound
	return outcome{content: connectReplyContent{
		Status:      "ok",
		ShellPort:   b.ShellPort,
		IOPubPort:   b.IOPubPort,
		StdinPort:   b.StdinPort,
		HBPort:      b.HBPort,
		ControlPort: b.ControlPort,
	}}
}

// handleShutdown stops the interpreter (which ends the running cell and any
// child processes), answers with the same restart flag, and then ends Serve.
// A restart is the client's business: it starts a new kernel process.
func (k *Kernel) handleShutdown(_ context.Context, req *request) outcome {
	var c shutdownRequestContent
	if bad, ok := decodeContent(req, &c); !ok {
		return bad
	}
	k.log.Printf("shutdown requested (restart=%v)", c.Restart)
	k.stopCells()
	k.closeInterpreter()
	reply := shutdownReplyContent{Status: "ok", Restart: c.Restart}
	// ipykernel also broadcasts the reply, for frontends that watch iopub.
	k.pub.publish("shutdown_reply", req.msg.RawHeader, reply)
	return outcome{content: reply, then: k.requestShutdown}
}

func (k *Kernel) handleInterrupt(_ context.Context, _ *request) outcome {
	k.Interrupt()
	return outcome{content: statusOnlyContent{Status: "ok"}}
}

func (k *Kernel) handleInputReply(_ context.Context, req *request) outcome {
	if err := k.stdin.deliver(req.msg); err != nil {
		k.plog.Printf("stdin: %v", err)
	}
	return outcome{}
}
