package kernel

import (
	"context"
	"encoding/json"
	"log"

	"gomp/backend"
)

// cellOutput is the backend.Output of one execute_request: everything the cell
// shows is published on iopub with the request as parent, and input requests
// go to the client that sent it. It holds no state that ends with the cell,
// so goroutines and child processes the cell started may keep using it after
// Execute returned; their output is still attributed to the cell.
type cellOutput struct {
	pub        *publisher
	stdin      *stdinChannel
	parent     json.RawMessage // the execute_request's header
	route      [][]byte        // the requesting client's shell identities
	silent     bool            // publish nothing (execute_request silent=true)
	allowStdin bool
	log        *log.Logger
}

var _ backend.Output = (*cellOutput)(nil)

func (k *Kernel) newCellOutput(req *request, silent, allowStdin bool) *cellOutput {
	return &cellOutput{
		pub:        k.pub,
		stdin:      k.stdin,
		parent:     req.msg.RawHeader,
		route:      req.msg.Identities,
		silent:     silent,
		allowStdin: allowStdin,
		log:        k.log,
	}
}

// Stream implements backend.Output.
func (o *cellOutput) Stream(name, text string) {
	if o.silent || text == "" {
		return
	}
	if name != "stdout" && name != "stderr" {
		// The spec knows only these two; unknown names are a bug in the
		// caller, but the text should not be lost.
		o.log.Printf("stream %q is not stdout or stderr; sending it to stdout", name)
		name = "stdout"
	}
	o.pub.stream(o.parent, name, text)
}

// Display implements backend.Output.
func (o *cellOutput) Display(d backend.Display) {
	if o.silent {
		return
	}
	c := displayDataContent{Data: d.Data, Metadata: d.Metadata}
	if c.Data == nil {
		c.Data = backend.MIMEBundle{}
	}
	if c.Metadata == nil {
		c.Metadata = map[string]any{}
	}
	if d.DisplayID != "" {
		c.Transient = &transient{DisplayID: d.DisplayID}
	}
	if d.Update {
		if d.DisplayID == "" {
			o.log.Printf("update_display_data without a display id: dropped")
			return
		}
		o.pub.publish("update_display_data", o.parent, c)
		return
	}
	o.pub.publish("display_data", o.parent, c)
}

// ClearOutput implements backend.Output.
func (o *cellOutput) ClearOutput(wait bool) {
	if o.silent {
		return
	}
	o.pub.publish("clear_output", o.parent, clearOutputContent{Wait: wait})
}

// Input implements backend.Output.
func (o *cellOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	if !o.allowStdin {
		return "", backend.ErrNoStdin
	}
	return o.stdin.ask(ctx, o.route, o.parent, prompt, password)
}
