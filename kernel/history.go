package kernel

import (
	"context"
	"strconv"
	"sync"
)

// history is the input history of this kernel's session, in memory: the code
// of every cell run with store_history, numbered from 1, with the text/plain
// of its result when it had one. There is no database; earlier sessions are
// not remembered, as a fresh kernel process starts with none.
type history struct {
	mu      sync.Mutex
	entries []historyEntry
}

type historyEntry struct {
	line   int
	input  string
	output *string // text/plain of the execute_result; nil when none
}

// currentSession is the session number this kernel reports. Requests name the
// current session as 0 (or, having seen it in a reply, as this number).
const currentSession = 1

func newHistory() *history { return &history{} }

// add records a cell and returns its line number.
func (h *history) add(input string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	line := len(h.entries) + 1
	h.entries = append(h.entries, historyEntry{line: line, input: input})
	return line
}

// setOutput records the result text of the cell at line.
func (h *history) setOutput(line int, text string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if line >= 1 && line <= len(h.entries) {
		h.entries[line-1].output = &text
	}
}

// tail returns the last n entries, oldest first.
func (h *history) tail(n int) []historyEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	n = min(max(n, 0), len(h.entries))
	return clone(h.entries[len(h.entries)-n:])
}

// lines returns the entries of session with start <= line < stop (stop nil:
// to the end), as IPython's get_range.
func (h *history) lines(session, start int, stop *int) []historyEntry {
	if session != 0 && session != currentSession {
		return nil // negative: an earlier session, which is not kept
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	end := len(h.entries) + 1
	if stop != nil {
		end = min(*stop, end)
	}
	start = max(start, 1)
	if start >= end {
		return nil
	}
	return clone(h.entries[start-1 : end-1])
}

// search returns the entries whose input matches the glob pattern (the whole
// input, case-sensitive, as IPython's sqlite GLOB). With unique, only the
// latest entry of each distinct input is kept. With n > 0, only the last n
// matches. Oldest first.
func (h *history) search(pattern string, n int, unique bool) []historyEntry {
	h.mu.Lock()
	var matches []historyEntry
	for _, e := range h.entries {
		if globMatch(pattern, e.input) {
			matches = append(matches, e)
		}
	}
	h.mu.Unlock()

	if unique {
		latest := make(map[string]int, len(matches)) // input -> line of its last match
		for _, e := range matches {
			latest[e.input] = e.line
		}
		kept := matches[:0]
		for _, e := range matches {
			if latest[e.input] == e.line {
				kept = append(kept, e)
			}
		}
		matches = kept
	}
	if n > 0 && len(matches) > n {
		matches = matches[len(matches)-n:]
	}
	return matches
}

func clone(es []historyEntry) []historyEntry {
	return append([]historyEntry(nil), es...)
}

// globMatch reports whether s matches pattern, where * matches any run of
// characters (also none), ? matches exactly one, and every other character
// matches itself.
func globMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Iterative matching with one backtrack point (the last *), linear in
	// practice and without recursion, so a hostile pattern cannot blow the
	// stack.
	pi, ti := 0, 0
	star, starT := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, starT = pi, ti
			pi++
		case star >= 0:
			starT++
			pi, ti = star+1, starT
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// handleHistory answers history_request: tail, range or search, with inputs
// alone or [input, output] pairs. Inputs are kept only raw (the kernel does
// not transform them), so raw makes no difference.
func (k *Kernel) handleHistory(_ context.Context, req *request) outcome {
	var c historyRequestContent
	if bad, ok := decodeContent(req, &c); !ok {
		return bad
	}
	n := 0
	if c.N != nil {
		n = *c.N
	}
	var entries []historyEntry
	switch c.HistAccessType {
	case "tail":
		entries = k.history.tail(n)
	case "range":
		entries = k.history.lines(c.Session, c.Start, c.Stop)
	case "search":
		entries = k.history.search(c.Pattern, n, c.Unique)
	default:
		return outcome{content: errorReply("BadRequest",
			"hist_access_type must be tail, range or search, not "+strconv.Quote(c.HistAccessType))}
	}
	items := make([]any, 0, len(entries))
	for _, e := range entries {
		if c.Output {
			var out any // JSON null when the cell had no result
			if e.output != nil {
				out = *e.output
			}
			items = append(items, []any{currentSession, e.line, []any{e.input, out}})
		} else {
			items = append(items, []any{currentSession, e.line, e.input})
		}
	}
	return outcome{content: historyReplyContent{Status: "ok", History: items}}
}
