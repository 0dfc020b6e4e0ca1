package kernel

import "gomp/backend"

// Message contents, as the messaging spec names their fields. Requests are
// decoded into these; replies and iopub messages are encoded from them.

// --- iopub ---

type statusContent struct {
	ExecutionState string `json:"execution_state"` // busy, idle, starting
}

type streamContent struct {
	Name string `json:"name"` // stdout, stderr
	Text string `json:"text"`
}

// iopubWelcomeContent is JEP 65's welcome to a new iopub subscription.
type iopubWelcomeContent struct {
	Subscription string `json:"subscription"`
}

type executeInputContent struct {
	Code           string `json:"code"`
	ExecutionCount int    `json:"execution_count"`
}

type executeResultContent struct {
	ExecutionCount int                `json:"execution_count"`
	Data           backend.MIMEBundle `json:"data"`
	Metadata       map[string]any     `json:"metadata"`
}

type displayDataContent struct {
	Data      backend.MIMEBundle `json:"data"`
	Metadata  map[string]any     `json:"metadata"`
	Transient *transient         `json:"transient,omitempty"`
}

type transient struct {
	DisplayID string `json:"display_id"`
}

type clearOutputContent struct {
	Wait bool `json:"wait"`
}

type errorContent struct {
	EName     string   `json:"ename"`
	EValue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

type commCloseContent struct {
	CommID string         `json:"comm_id"`
	Data   map[string]any `json:"data"`
}

// --- shell / control requests ---

type executeRequestContent struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"` // default: not silent
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`   // default false, as ipykernel
	StopOnError     *bool             `json:"stop_on_error"` // default true
}

type completeRequestContent struct {
	Code      string `json:"code"`
	CursorPos *int   `json:"cursor_pos"` // default: end of code
}

type inspectRequestContent struct {
	Code        string `json:"code"`
	CursorPos   *int   `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

type isCompleteRequestContent struct {
	Code string `json:"code"`
}

type historyRequestContent struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           *int   `json:"stop"`
	N              *int   `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

type commOpenContent struct {
	CommID     string `json:"comm_id"`
	TargetName string `json:"target_name"`
}

type shutdownRequestContent struct {
	Restart bool `json:"restart"`
}

// --- stdin ---

type inputRequestContent struct {
	Prompt   string `json:"prompt"`
	Password bool   `json:"password"`
}

type inputReplyContent struct {
	Value string `json:"value"`
}

// --- replies ---

type executeReplyContent struct {
	Status          string           `json:"status"` // "ok"
	ExecutionCount  int              `json:"execution_count"`
	Payload         []map[string]any `json:"payload"`
	UserExpressions map[string]any   `json:"user_expressions"`
}

// executeErrorReplyContent is an execute_reply for a failed cell: the common
// error reply plus the fields of an ok reply.
type executeErrorReplyContent struct {
	errorReplyContent
	ExecutionCount  int              `json:"execution_count"`
	Payload         []map[string]any `json:"payload"`
	UserExpressions map[string]any   `json:"user_expressions"`
}

type kernelInfoReplyContent struct {
	Status                string       `json:"status"`
	ProtocolVersion       string       `json:"protocol_version"`
	Implementation        string       `json:"implementation"`
	ImplementationVersion string       `json:"implementation_version"`
	LanguageInfo          languageInfo `json:"language_info"`
	Banner                string       `json:"banner"`
	HelpLinks             []helpLink   `json:"help_links"`
	Debugger              bool         `json:"debugger"`
}

type languageInfo struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	Mimetype          string `json:"mimetype"`
	FileExtension     string `json:"file_extension"`
	PygmentsLexer     string `json:"pygments_lexer,omitempty"`
	CodemirrorMode    string `json:"codemirror_mode,omitempty"`
	NbconvertExporter string `json:"nbconvert_exporter"`
}

type helpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

type completeReplyContent struct {
	Status      string         `json:"status"`
	Matches     []string       `json:"matches"`
	CursorStart int            `json:"cursor_start"`
	CursorEnd   int            `json:"cursor_end"`
	Metadata    map[string]any `json:"metadata"`
}

type inspectReplyContent struct {
	Status   string             `json:"status"`
	Found    bool               `json:"found"`
	Data     backend.MIMEBundle `json:"data"`
	Metadata map[string]any     `json:"metadata"`
}

type isCompleteReplyContent struct {
	Status string `json:"status"` // complete, incomplete, invalid, unknown
	Indent string `json:"indent,omitempty"`
}

type historyReplyContent struct {
	Status  string `json:"status"`
	History []any  `json:"history"`
}

type commInfoReplyContent struct {
	Status string         `json:"status"`
	Comms  map[string]any `json:"comms"`
}

type connectReplyContent struct {
	Status      string `json:"status"`
	ShellPort   int    `json:"shell_port"`
	IOPubPort   int    `json:"iopub_port"`
	StdinPort   int    `json:"stdin_port"`
	HBPort      int    `json:"hb_port"`
	ControlPort int    `json:"control_port"`
}

type shutdownReplyContent struct {
	Status  string `json:"status"`
	Restart bool   `json:"restart"`
}

type statusOnlyContent struct {
	Status string `json:"status"` // interrupt_reply, aborted replies
}

// errorReplyContent is the spec's common error reply, for any request.
type errorReplyContent struct {
	Status    string   `json:"status"` // "error"
	EName     string   `json:"ename"`
	EValue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

func errorReply(ename, evalue string) errorReplyContent {
	return errorReplyContent{Status: "error", EName: ename, EValue: evalue, Traceback: []string{}}
}
