package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"os"
	"strings"
	"sync"

	"gomp/backend"
	"gomp/mp"
)

// NewChildHost rebuilds, in a child process, the session a snapshot was
// taken of: the parent's imports, types, constants, functions and methods
// (not its top-level statements), with its globals declared (mp sets their
// values). What the child prints goes to its own stdout and stderr, which
// the parent forwards to the notebook. It is the newHost that mp.RunChild
// takes.
func NewChildHost(snap *mp.Snapshot) (mp.Host, error) {
	var d snapshotData
	if err := json.Unmarshal(snap.Session, &d); err != nil {
		return nil, fmt.Errorf("eval: reading the session snapshot: %w", err)
	}
	packages := map[string]bool{}
	for _, is := range d.Imports {
		packages[is.Path] = true
	}
	s, err := New(Options{child: true, packages: packages})
	if err != nil {
		return nil, err
	}
	s.out = newProcessOutput(os.Stdout, os.Stderr)
	for f, c := range d.Cells {
		s.units.add(f, c.Label, c.Code)
		// The child's own units are numbered after the parent's, whose
		// names the //line directives of the declarations use.
		var n int64
		if _, err := fmt.Sscanf(f, "gomp%d.go", &n); err == nil && n > s.seq.Load() {
			s.seq.Store(n)
		}
	}
	for _, is := range d.Imports {
		s.imports = append(s.imports, importSpec{name: is.Name, path: is.Path})
	}
	var log declLog
	for _, e := range d.Decls {
		log.entries = append(log.entries, &declEntry{
			keys: e.Keys, kind: tokenOf(e.Kind), text: e.Text, file: e.File, line: e.Line,
		})
	}
	if err := s.load(log, d.Globals); err != nil {
		return nil, fmt.Errorf("eval: replaying the session in the child: %w", err)
	}
	s.native.adopt(s, d.Native)
	return s, nil
}

func tokenOf(kind string) token.Token {
	switch kind {
	case "func":
		return token.FUNC
	case "type":
		return token.TYPE
	default:
		return token.CONST
	}
}

// load compiles a declaration log and global declarations into the
// session's (fresh) interpreter: types and constants, then the globals, then
// functions and methods, which may use both.
func (s *Session) load(log declLog, globals string) error {
	var types, funcs []*declEntry
	for _, e := range log.entries {
		if e.kind == token.FUNC {
			funcs = append(funcs, e)
		} else {
			types = append(types, e)
		}
	}
	ctx := context.Background()
	if len(types) > 0 {
		if err := s.compileDecls(ctx, s.nextUnitFile("(declarations)", ""), types); err != nil {
			return err
		}
	}
	if globals != "" {
		prog, err := s.compileAs(s.nextUnitFile("(globals)", globals), globals)
		if err != nil {
			return err
		}
		if _, err := s.run(ctx, prog); err != nil {
			return err
		}
	}
	if len(funcs) > 0 {
		if err := s.compileDecls(ctx, s.nextUnitFile("(declarations)", ""), funcs); err != nil {
			return err
		}
	}
	s.decls = log
	s.typeCache = newTypeCache()
	return nil
}

// processOutput is a backend.Output for a process without a notebook: a
// child's output goes to its stdout and stderr (pipes the parent reads).
type processOutput struct {
	mu             sync.Mutex
	stdout, stderr io.Writer
}

func newProcessOutput(stdout, stderr io.Writer) *processOutput {
	return &processOutput{stdout: stdout, stderr: stderr}
}

func (p *processOutput) Stream(name, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if name == "stderr" {
		io.WriteString(p.stderr, text)
		return
	}
	io.WriteString(p.stdout, text)
}

// Display prints the text form of a rich output.
func (p *processOutput) Display(d backend.Display) {
	text, _ := d.Data["text/plain"].(string)
	if text == "" {
		return
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	p.Stream("stdout", text)
}

func (p *processOutput) ClearOutput(bool) {}

// Input fails: a child process has no frontend to ask (Python's children
// read from a closed stdin too).
func (p *processOutput) Input(context.Context, string, bool) (string, error) {
	return "", backend.ErrNoStdin
}
