package jupytertest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cell is one code cell of a test notebook and what its outputs must be.
type cell struct {
	Source string   `json:"source"`
	Tags   []string `json:"tags,omitempty"`
	check  func(t *testing.T, outs []output)
}

// output is a code cell's output as nbformat stores it.
type output struct {
	OutputType string         `json:"output_type"`
	Name       string         `json:"name"` // stream
	Text       any            `json:"text"` // stream: string or list of lines
	Data       map[string]any `json:"data"` // execute_result, display_data
	Ename      string         `json:"ename"`
	Evalue     string         `json:"evalue"`
	Traceback  []string       `json:"traceback"`
}

func (o output) text() string {
	switch v := o.Text.(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, s := range v {
			b.WriteString(s.(string))
		}
		return b.String()
	}
	return ""
}

// plain is a result's or display's text/plain, joined if it is a list.
func (o output) plain() string {
	switch v := o.Data["text/plain"].(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, s := range v {
			b.WriteString(s.(string))
		}
		return b.String()
	}
	return ""
}

// streams joins the text of the named stream outputs.
func streams(outs []output, name string) string {
	var b strings.Builder
	for _, o := range outs {
		if o.OutputType == "stream" && o.Name == name {
			b.WriteString(o.text())
		}
	}
	return b.String()
}

func ofType(outs []output, typ string) []output {
	var r []output
	for _, o := range outs {
		if o.OutputType == typ {
			r = append(r, o)
		}
	}
	return r
}

func wantStdout(want string) func(*testing.T, []output) {
	return func(t *testing.T, outs []output) {
		t.Helper()
		if got := streams(outs, "stdout"); got != want {
			t.Errorf("stdout = %q, want %q; outputs %+v", got, want, outs)
		}
		if errs := ofType(outs, "error"); len(errs) > 0 {
			t.Errorf("unexpected error output: %+v", errs)
		}
	}
}

func wantResult(want string) func(*testing.T, []output) {
	return func(t *testing.T, outs []output) {
		t.Helper()
		res := ofType(outs, "execute_result")
		if len(res) != 1 || res[0].plain() != want {
			t.Errorf("want one execute_result %q; outputs %+v", want, outs)
		}
	}
}

func wantError(ename, inValue string) func(*testing.T, []output) {
	return func(t *testing.T, outs []output) {
		t.Helper()
		errs := ofType(outs, "error")
		if len(errs) != 1 {
			t.Fatalf("want exactly one error output; outputs %+v", outs)
		}
		if errs[0].Ename != ename || !strings.Contains(errs[0].Evalue, inValue) {
			t.Errorf("error %s: %q, want %s containing %q", errs[0].Ename, errs[0].Evalue, ename, inValue)
		}
		if got := streams(outs, "stderr"); got != "" {
			t.Errorf("an error also wrote to stderr (graders count that against the cell): %q", got)
		}
	}
}

// executeNotebook writes cells as a notebook, runs nbconvert --execute on it
// with args, and returns the executed notebook's outputs, cell by cell.
// It returns nbconvert's stderr, where it reports what went wrong.
func executeNotebook(t *testing.T, cells []cell, args ...string) ([][]output, string, error) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "test.ipynb")
	spec, err := json.Marshal(cells)
	if err != nil {
		t.Fatal(err)
	}
	mk := filepath.Join(dir, "cells.json")
	if err := os.WriteFile(mk, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runCmd(t, time.Minute, nil, "/bin/sh", "-c", python+" mknotebook.py "+in+" < "+mk); err != nil {
		t.Fatalf("mknotebook.py: %v\n%s", err, errOut)
	}
	argv := append([]string{"-m", "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb"}, args...)
	argv = append(argv, in)
	_, stderr, runErr := runCmd(t, 3*time.Minute, nil, python, argv...)
	b, err := os.ReadFile(filepath.Join(dir, "executed.ipynb"))
	if err != nil {
		return nil, stderr, runErr
	}
	var nb struct {
		Cells []struct {
			ExecutionCount *int     `json:"execution_count"`
			Outputs        []output `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("executed notebook: %v", err)
	}
	var outs [][]output
	for i, c := range nb.Cells {
		if c.ExecutionCount == nil || *c.ExecutionCount != i+1 {
			t.Errorf("cell %d: execution_count %v, want %d", i+1, c.ExecutionCount, i+1)
		}
		outs = append(outs, c.Outputs)
	}
	return outs, stderr, runErr
}

// A notebook run as a grader runs it: jupyter nbconvert --execute, with a
// cell that never ends, interrupted by nbclient after its timeout.
func TestNbconvert(t *testing.T) {
	needJupyter(t)
	cells := []cell{
		{Source: "import \"fmt\"\n\nfmt.Println(\"hello, world\")", check: wantStdout("hello, world\n")},
		{Source: "1 + 2", check: wantResult("3")},
		{Source: "\"hi\"", check: wantResult(`"hi"`)},
		{Source: "func square(n int) int { return n * n }", check: wantStdout("")},
		{Source: "square(7)", check: wantResult("49")},
		{Source: "panic(\"boom\")", Tags: []string{"raises-exception"}, check: wantError("panic", "boom")},
		{Source: "fmt.Println(\"after the panic\")", check: wantStdout("after the panic\n")},
		{
			// nbclient sends allow_stdin false: reading stdin must fail
			// clearly instead of hanging until the timeout.
			Source: "var name string\n_, err := fmt.Scanln(&name)\nfmt.Println(\"error:\", err)",
			// Either Scanln returns an error the cell prints, or the cell
			// fails (as IPython's input() does); the message must say
			// that input is not available.
			check: func(t *testing.T, outs []output) {
				said := streams(outs, "stdout")
				if errs := ofType(outs, "error"); len(errs) == 1 {
					said = errs[0].Evalue
				} else if strings.Contains(said, "<nil>") {
					said = ""
				}
				said = strings.ToLower(said)
				if !strings.Contains(said, "input") && !strings.Contains(said, "stdin") {
					t.Errorf("reading stdin under nbconvert gave no error that says input is not available; outputs %+v", outs)
				}
			},
		},
		{Source: "for {\n}", check: wantError("Interrupted", "")},
		{Source: "fmt.Println(\"after the loop\")", check: wantStdout("after the loop\n")},
		{
			Source: "import \"display\"\n\ndisplay.HTML(\"<b>bold</b>\")",
			check: func(t *testing.T, outs []output) {
				d := ofType(outs, "display_data")
				if len(d) != 1 || d[0].Data["text/html"] == nil {
					t.Errorf("want one display_data with text/html; outputs %+v", outs)
				}
			},
		},
		{
			Source: "import \"os\"\n\nfmt.Fprintln(os.Stderr, \"to stderr\")",
			check: func(t *testing.T, outs []output) {
				if got := streams(outs, "stderr"); got != "to stderr\n" {
					t.Errorf("stderr = %q; outputs %+v", got, outs)
				}
			},
		},
		{
			// Output of a goroutine the cell waits for arrives before the
			// cell's idle, so nbclient keeps it.
			Source: "done := make(chan bool)\ngo func() {\n\tfmt.Println(\"from a goroutine\")\n\tdone <- true\n}()\n<-done\nfmt.Println(\"joined\")",
			check:  wantStdout("from a goroutine\njoined\n"),
		},
	}
	outs, stderr, err := executeNotebook(t, cells,
		"--allow-errors",
		"--ExecutePreprocessor.timeout=5",
		"--ExecutePreprocessor.interrupt_on_timeout=True")
	if err != nil {
		t.Fatalf("nbconvert: %v\n%s", err, stderr)
	}
	if len(outs) != len(cells) {
		t.Fatalf("executed notebook has %d cells, want %d", len(outs), len(cells))
	}
	for i, c := range cells {
		t.Run(strings.SplitN(c.Source, "\n", 2)[0], func(t *testing.T) {
			c.check(t, outs[i])
		})
	}
}

// Without --allow-errors, nbconvert stops at an unexpected error but not at
// one in a cell tagged raises-exception.
func TestNbconvertRaisesException(t *testing.T) {
	needJupyter(t)
	cells := []cell{
		{Source: "x := 1", check: wantStdout("")},
		{Source: "panic(\"expected\")", Tags: []string{"raises-exception"}, check: wantError("panic", "expected")},
		{Source: "x + 1", check: wantResult("2")},
	}
	outs, stderr, err := executeNotebook(t, cells)
	if err != nil {
		t.Fatalf("nbconvert failed on a tagged error: %v\n%s", err, stderr)
	}
	for i, c := range cells {
		c.check(t, outs[i])
	}

	// An untagged error stops the run with an error, as graders expect.
	cells[1].Tags = nil
	if _, _, err := executeNotebook(t, cells); err == nil {
		t.Errorf("nbconvert succeeded although an untagged cell panicked")
	}
}

// When nbclient gives up on a cell that never ends (no interrupt_on_timeout),
// it shuts the busy kernel down; no kernel process may stay behind (runCmd
// checks).
func TestNbconvertTimeoutShutsDown(t *testing.T) {
	needJupyter(t)
	cells := []cell{{Source: "for {\n}"}}
	_, stderr, err := executeNotebook(t, cells, "--ExecutePreprocessor.timeout=3")
	if err == nil {
		t.Fatalf("nbconvert succeeded although a cell never ended:\n%s", stderr)
	}
	if !strings.Contains(stderr, "timed out") {
		t.Errorf("nbconvert failed, but not with a timeout:\n%s", stderr)
	}
}
