package kernel

import (
	"context"
	"fmt"
	"runtime/debug"

	"gomp/backend"
)

// handleExecute runs one cell. What a client sees, in order:
//
//	iopub  status busy                    (serve)
//	iopub  execute_input                  (not when silent)
//	iopub  stream / display_data / ...    (the cell's output, not when silent)
//	iopub  execute_result or error        (not when silent)
//	shell  execute_reply                  (serve)
//	iopub  status idle                    (serve)
//
// Each iopub message is written when it is published, in the order
// published, and a reply is sent after the pending stream text: so a cell's
// output is out before its reply, and that before its idle. When the cell
// fails and stop_on_error holds, the execute_requests already queued behind
// it are answered "aborted" without running, after this one's idle.
func (k *Kernel) handleExecute(ctx context.Context, req *request) outcome {
	var c executeRequestContent
	if bad, ok := decodeContent(req, &c); !ok {
		return bad
	}
	storeHistory := !c.Silent && (c.StoreHistory == nil || *c.StoreHistory)
	stopOnError := c.StopOnError == nil || *c.StopOnError

	cellCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !k.beginCell(cancel) {
		// Shutting down: the interpreter is closing.
		return outcome{content: statusOnlyContent{Status: "aborted"}, metadata: map[string]any{"status": "aborted"}}
	}
	defer k.endCell()

	// The count increments only for cells that go into the history, as in
	// ipykernel; others are shown with the current count.
	if storeHistory {
		k.executionCount++
	}
	count := k.executionCount
	parent := req.msg.RawHeader

	if !c.Silent {
		k.pub.publish("execute_input", parent, executeInputContent{Code: c.Code, ExecutionCount: count})
	}
	line := 0
	if storeHistory {
		line = k.history.add(c.Code)
	}

	res := k.runCell(cellCtx, backend.ExecuteRequest{
		Code:            c.Code,
		ExecutionCount:  count,
		Silent:          c.Silent,
		StoreHistory:    storeHistory,
		AllowStdin:      c.AllowStdin,
		UserExpressions: c.UserExpressions,
	}, k.newCellOutput(req, c.Silent, c.AllowStdin))
	k.pub.cellEnded(parent)

	payload := res.Payloads
	if payload == nil {
		payload = []map[string]any{}
	}
	userExpressions := res.UserExpressions
	if userExpressions == nil {
		userExpressions = map[string]any{}
	}

	if e := res.Err; e != nil {
		traceback := e.Traceback
		if traceback == nil {
			traceback = []string{}
		}
		// The error is published exactly once, here: an interpreter reports
		// a failure only through ExecuteResult.Err.
		if !c.Silent {
			k.pub.publish("error", parent, errorContent{EName: e.Name, EValue: e.Value, Traceback: traceback})
		}
		out := outcome{
			content: executeErrorReplyContent{
				errorReplyContent: errorReplyContent{Status: "error", EName: e.Name, EValue: e.Value, Traceback: traceback},
				ExecutionCount:    count,
				Payload:           payload,
				UserExpressions:   userExpressions,
			},
			metadata: map[string]any{"status": "error"},
		}
		if !c.Silent && stopOnError {
			// What is queued now, before the error reply goes out, is what
			// was sent behind the failed cell ("Run all"); a request a
			// client sends after seeing the reply must run.
			queued := k.takeQueued()
			out.then = func() { k.abortQueuedExecutes(ctx, queued) }
		}
		return out
	}

	if res.Value != nil {
		if !c.Silent {
			k.pub.publish("execute_result", parent, executeResultContent{
				ExecutionCount: count,
				Data:           res.Value,
				Metadata:       map[string]any{},
			})
		}
		if text, ok := res.Value["text/plain"].(string); ok && storeHistory {
			k.history.setOutput(line, text)
		}
	}
	return outcome{
		content: executeReplyContent{
			Status:          "ok",
			ExecutionCount:  count,
			Payload:         payload,
			UserExpressions: userExpressions,
		},
		metadata: map[string]any{"status": "ok"},
	}
}

// runCell calls the interpreter, turning a panic that escaped it into a
// failed cell: the kernel must survive whatever a cell does.
func (k *Kernel) runCell(ctx context.Context, req backend.ExecuteRequest, out backend.Output) (res backend.ExecuteResult) {
	defer func() {
		if p := recover(); p != nil {
			k.log.Printf("interpreter panicked: %v\n%s", p, debug.Stack())
			res = backend.ExecuteResult{Err: &backend.Error{
				Name:      "KernelError",
				Value:     fmt.Sprintf("the interpreter panicked: %v", p),
				Traceback: []string{fmt.Sprintf("KernelError: the interpreter panicked: %v", p)},
			}}
		}
	}()
	return k.interp.Execute(ctx, req, out)
}

// takeQueued removes and returns the requests waiting in the shell queue.
func (k *Kernel) takeQueued() []*request {
	var queued []*request
	for {
		select {
		case req := <-k.shellQueue:
			queued = append(queued, req)
		default:
			return queued
		}
	}
}

// abortQueuedExecutes answers the execute_requests that were queued behind a
// failed cell with status "aborted", without running them (stop_on_error),
// and serves the other requests among them normally, in order.
func (k *Kernel) abortQueuedExecutes(ctx context.Context, queued []*request) {
	for _, req := range queued {
		if req.msg.Header.MsgType != "execute_request" {
			k.serve(ctx, req)
			continue
		}
		k.log.Printf("aborting execute_request %s after a failed cell", req.msg.Header.MsgID)
		k.publishStatus("busy", req)
		k.reply(req, "execute_reply", statusOnlyContent{Status: "aborted"}, map[string]any{"status": "aborted"})
		k.publishStatus("idle", req)
	}
}
