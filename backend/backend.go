// Package backend is the seam between the Jupyter protocol (package kernel) and
// the language that runs cells (package eval).
//
// The kernel knows messages, sockets and signatures and nothing about Go; the
// evaluator knows Go and nothing about ZeroMQ. They meet only here: the kernel
// calls an Interpreter, and the Interpreter reports what a cell produces through
// an Output that the kernel implements. Both sides depend on this package and
// never on each other.
package backend

import (
	"context"
	"errors"
)

// Interpreter runs cells and answers the editor's questions about code.
// The kernel calls Execute from one goroutine at a time; Complete, Inspect and
// IsComplete may be called while a cell runs (the shell socket is busy then, but
// the control socket is not), so implementations must allow that.
type Interpreter interface {
	// Info describes the language for kernel_info_reply.
	Info() LanguageInfo

	// Execute runs one cell. Cancelling ctx is an interrupt: the cell must stop
	// promptly (within a second) and Execute returns an Error with Name
	// "Interrupted". Output is valid after Execute returns: background work the
	// cell started (goroutines, child processes) may keep writing to it, and
	// the kernel publishes that under the cell's request.
	Execute(ctx context.Context, req ExecuteRequest, out Output) ExecuteResult

	// Complete proposes completions for the code at cursor (a rune offset, as
	// the messaging spec counts cursor_pos).
	Complete(code string, cursor int) Completion

	// Inspect returns help about the symbol at cursor; Found is false when
	// there is none. detail is the spec's detail_level (0 or 1).
	Inspect(code string, cursor int, detail int) Inspection

	// IsComplete tells a console whether code is ready to run.
	IsComplete(code string) Completeness

	// Close releases everything the interpreter owns (goroutines, child
	// processes). The kernel calls it once, on shutdown or before a restart.
	Close() error
}

// LanguageInfo is the language_info of kernel_info_reply plus the banner.
type LanguageInfo struct {
	Name              string // "go"
	Version           string // the Go version the kernel was built with
	Mimetype          string
	FileExtension     string
	PygmentsLexer     string
	CodemirrorMode    string
	ImplementationVer string // the gomp version
	Banner            string
	HelpLinks         []HelpLink
}

// HelpLink is one entry of kernel_info_reply's help_links.
type HelpLink struct {
	Text string
	URL  string
}

// ExecuteRequest is the part of execute_request an interpreter needs.
type ExecuteRequest struct {
	Code            string
	ExecutionCount  int  // the count this cell is shown with
	Silent          bool // no output is published (the kernel enforces this too)
	StoreHistory    bool
	AllowStdin      bool              // Output.Input may be used
	UserExpressions map[string]string // evaluated after the cell, in the cell's scope
}

// ExecuteResult is what a cell ended with.
type ExecuteResult struct {
	// Value is the cell's final bare expression as a MIME bundle
	// (execute_result); nil when the cell had none.
	Value MIMEBundle
	// Err is set when the cell failed; the kernel sends an error reply and an
	// error message on iopub, and aborts queued cells when stop_on_error.
	Err *Error
	// Payloads are execute_reply payloads, e.g. a "page" for `?fmt.Println`.
	Payloads []map[string]any
	// UserExpressions holds one result per requested expression, each either
	// {"status":"ok","data":...,"metadata":{}} or an error content.
	UserExpressions map[string]any
}

// Error is a failed cell, in the shape of the spec's error content.
type Error struct {
	Name      string   // ename: CompileError, panic, runtime error, Interrupted, Exit, ...
	Value     string   // evalue
	Traceback []string // lines, may contain ANSI colour codes
}

func (e *Error) Error() string { return e.Name + ": " + e.Value }

// MIMEBundle maps MIME types to data, as display_data's data field.
type MIMEBundle map[string]any

// Display is one rich output.
type Display struct {
	Data      MIMEBundle
	Metadata  map[string]any
	DisplayID string // optional; set to allow later updates
	Update    bool   // true: update_display_data for DisplayID
}

// Output receives everything a cell shows while it runs (and, for background
// work the cell started, after). Implementations are safe for concurrent use.
type Output interface {
	// Stream appends text to "stdout" or "stderr".
	Stream(name, text string)
	// Display shows (or updates) a rich output.
	Display(d Display)
	// ClearOutput clears the cell's output; wait defers it to the next output.
	ClearOutput(wait bool)
	// Input asks the user for a line through the frontend. It returns
	// ErrNoStdin when the request did not allow stdin, and ctx.Err() when ctx
	// is cancelled (an interrupt) before the user answers.
	Input(ctx context.Context, prompt string, password bool) (string, error)
}

// ErrNoStdin is returned by Output.Input when the frontend does not accept
// input requests for this cell (allow_stdin false, or nbconvert).
var ErrNoStdin = errors.New("this frontend does not support input requests (allow_stdin is false)")

// Completion is a complete_reply.
type Completion struct {
	Matches     []string
	CursorStart int // rune offsets into the code
	CursorEnd   int
	Metadata    map[string]any
}

// Inspection is an inspect_reply.
type Inspection struct {
	Found bool
	Data  MIMEBundle
}

// Completeness is an is_complete_reply.
type Completeness struct {
	Status string // "complete", "incomplete", "invalid" or "unknown"
	Indent string // for "incomplete"
}
