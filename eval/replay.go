package eval

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// A Go fatal error (concurrent map writes, a stack overflow, out of memory)
// ends the session's process, and no recover can stop it. What survives is
// what the process handed out before: after each cell, the kernel keeps a
// copy of the session's replay log (opaque bytes to it, see
// backend/remote), and the next session starts from it. The log holds what
// the notebook declared (imports, types, constants, functions, methods, as
// mp's children get them) and the names and types of its global
// variables, which the new session declares again at their zero values:
// their values lived only in the dead process. No user code runs in a
// replay (a declaration runs nothing, and variables are not initialised
// again), so a replay cannot die of what killed the session.

// replayData is a session's replay log.
type replayData struct {
	Imports []importJSON        `json:"imports"`
	Decls   []replayDecl        `json:"decls"`
	Globals string              `json:"globals"` // var declarations, zero values
	Checked []replayGlobal      `json:"checked"` // the globals as the checker types them
	Cells   map[string]cellJSON `json:"cells"`   // the cells the declarations came from
	Seq     int64               `json:"seq"`     // units compiled: a new unit is named after
}

type replayDecl struct {
	declJSON
	Src string `json:"src"` // as the user wrote it, for the checker
}

type replayGlobal struct {
	Name  string   `json:"name"`
	Type  string   `json:"type"`
	Paths []string `json:"paths,omitempty"`
	Local string   `json:"local,omitempty"`
}

// replayCache is the last log made and what it was made from: most cells
// declare nothing, and their log is the previous one.
type replayCache struct {
	mu      sync.Mutex // ReplayLog holds s.state for reading only
	entries []*declEntry
	imports []importSpec
	globals []globalVar
	data    []byte
}

// ReplayLog returns what a new session needs to start with this session's
// declarations (see Replay). The kernel asks for it after every cell.
func (s *Session) ReplayLog() ([]byte, error) {
	s.state.RLock()
	defer s.state.RUnlock()
	c := &s.replay
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.data != nil && slices.Equal(c.entries, s.decls.entries) && slices.Equal(c.imports, s.imports) && slices.EqualFunc(c.globals, s.globals, sameGlobal) {
		return c.data, nil
	}
	carried, globalsSrc := s.carriedGlobals(globalsOf(s.in), s.typeNames(), nil)
	d := replayData{Globals: globalsSrc, Cells: map[string]cellJSON{}, Seq: s.seq.Load()}
	for _, is := range s.imports {
		d.Imports = append(d.Imports, importJSON{is.name, is.path})
	}
	for _, e := range s.decls.entries {
		d.Decls = append(d.Decls, replayDecl{declJSON{e.keys, e.kind.String(), e.text, e.file, e.line}, e.src})
		if cell, ok := s.units.lookup(e.file); ok {
			d.Cells[e.file] = cellJSON{cell.label, strings.Join(cell.lines, "\n")}
		}
	}
	for _, g := range s.globals {
		// A global the interpreter cannot declare again is not one to the
		// checker either: a later cell using it fails as undefined.
		if _, ok := carried[g.name]; ok {
			d.Checked = append(d.Checked, replayGlobal{g.name, g.typ, g.paths, g.local})
		}
	}
	data, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("eval: encoding the replay log: %w", err)
	}
	c.entries = slices.Clone(s.decls.entries)
	c.imports = slices.Clone(s.imports)
	c.globals = slices.Clone(s.globals)
	c.data = data
	return data, nil
}

func sameGlobal(a, b globalVar) bool {
	return a.name == b.name && a.typ == b.typ && a.local == b.local
}

// Replay loads a replay log into a session that has run no cell. On
// failure the session is left fresh, as if it had no log, and the error
// says why.
func (s *Session) Replay(data []byte) error {
	var d replayData
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("eval: reading the replay log: %w", err)
	}
	s.exec.Lock()
	defer s.exec.Unlock()
	s.state.Lock()
	defer s.state.Unlock()
	for f, c := range d.Cells {
		s.units.add(f, c.Label, c.Code)
	}
	if d.Seq > s.seq.Load() {
		s.seq.Store(d.Seq)
	}
	for _, is := range d.Imports {
		s.imports = append(s.imports, importSpec{name: is.Name, path: is.Path})
	}
	var log declLog
	for _, e := range d.Decls {
		log.entries = append(log.entries, &declEntry{
			keys: e.Keys, kind: tokenOf(e.Kind), text: e.Text, src: e.Src, file: e.File, line: e.Line,
		})
	}
	if err := s.load(log, d.Globals); err != nil {
		in, fs, ferr := s.newInterpreter()
		if ferr != nil {
			return fmt.Errorf("eval: replaying the declarations: %w; and starting afresh: %w", err, ferr)
		}
		s.in, s.fs = in, fs
		s.imports, s.decls, s.globals = nil, declLog{}, nil
		s.typeCache = newTypeCache()
		return fmt.Errorf("eval: replaying the declarations: %w", err)
	}
	for _, g := range d.Checked {
		s.globals = append(s.globals, globalVar{name: g.Name, typ: g.Type, paths: g.Paths, local: g.Local})
	}
	return nil
}
