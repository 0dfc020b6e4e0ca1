package grade

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// executed is a notebook as nbconvert writes it after --allow-errors:
// sources as lists of lines, a markdown cell, an empty cell that did not
// run, an expected error, two failures, a cell with two error outputs.
const executed = `{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Tarea"]},
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
    {"output_type": "stream", "name": "stdout", "text": ["hola\n"]}
  ], "source": ["import \"fmt\"\n", "fmt.Println(\"hola\")"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ""},
  {"cell_type": "code", "execution_count": 2, "metadata": {"tags": ["raises-exception"]}, "outputs": [
    {"output_type": "error", "ename": "panic", "evalue": "esperado", "traceback": ["panic: esperado"]}
  ], "source": "panic(\"esperado\")"},
  {"cell_type": "code", "execution_count": 3, "metadata": {"tags": ["other"]}, "outputs": [
    {"output_type": "stream", "name": "stderr", "text": "x\n"},
    {"output_type": "error", "ename": "panic", "evalue": "boom\nsecond line", "traceback": []}
  ], "source": "panic(\"boom\")"},
  {"cell_type": "code", "execution_count": 4, "metadata": {}, "outputs": [
    {"output_type": "error", "ename": "Interrupted", "evalue": "the cell was interrupted", "traceback": []},
    {"output_type": "error", "ename": "panic", "evalue": "later", "traceback": []}
  ], "source": "for {\n}"}
 ],
 "metadata": {"kernelspec": {"name": "gomp", "display_name": "Go (mp)", "language": "go"}},
 "nbformat": 4,
 "nbformat_minor": 5
}`

func TestReadCells(t *testing.T) {
	c, err := ReadCells([]byte(executed))
	if err != nil {
		t.Fatal(err)
	}
	want := Cells{
		Code:     5,
		Executed: 4,
		Errors: []CellError{
			{Cell: 4, ExecutionCount: 2, Name: "panic", Message: "esperado", Expected: true},
			{Cell: 5, ExecutionCount: 3, Name: "panic", Message: "boom"},
			{Cell: 6, ExecutionCount: 4, Name: "Interrupted", Message: "the cell was interrupted"},
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("ReadCells =\n%+v\nwant\n%+v", c, want)
	}
	if f := c.Failures(); len(f) != 2 || f[0].Cell != 5 || f[1].Cell != 6 {
		t.Errorf("Failures = %+v, want cells 5 and 6", f)
	}
}

func TestReadCellsRefuses(t *testing.T) {
	for name, data := range map[string]string{
		"truncated":  `{"cells": [`,
		"not JSON":   `print("hola")`,
		"nbformat 3": `{"nbformat": 3, "worksheets": []}`,
		"a list":     `[]`,
	} {
		if _, err := ReadCells([]byte(data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDescribeJSONError(t *testing.T) {
	data := []byte("{\n \"cells\": [\n  {,\n")
	_, err := ReadCells(data)
	got := describeJSONError(data, err)
	if !strings.HasPrefix(got, "no es un cuaderno: JSON inválido en la línea 3: ") {
		t.Errorf("describeJSONError = %q", got)
	}
}

func TestWriteCSV(t *testing.T) {
	cells, err := ReadCells([]byte(executed))
	if err != nil {
		t.Fatal(err)
	}
	results := []Result{
		{Notebook: Notebook{Path: "subs/ana/tarea.ipynb"}, Ran: true, Executed: "out/ana/tarea.ipynb", Cells: cells, Elapsed: 1500 * time.Millisecond},
		{Notebook: Notebook{Path: "subs/ben/tarea, v2.ipynb"}, Cells: Cells{Code: 3}, RunError: "DeadKernelError: Kernel died"},
		{Notebook: Notebook{Path: "subs/carla/tarea.ipynb"}, Executed: "out/carla/tarea.ipynb", Cells: Cells{Code: 3, Executed: 2},
			RunError: "el kernel murió en la celda 3 (DeadKernelError: Kernel died)", Stopped: &Stopped{Cell: 3, Error: "DeadKernelError: Kernel died"}, Elapsed: 2 * time.Second},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, results, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("the report is not CSV: %v\n%s", err, b.String())
	}
	want := [][]string{
		Header,
		{"subs/ana/tarea.ipynb", "sí", "5", "4", "5;6", "3;4",
			"In [3] panic: boom; In [4] Interrupted: pasó del límite de 10s por celda y se interrumpió",
			"1", "", "", "out/ana/tarea.ipynb", "1.5", ""},
		{"subs/ben/tarea, v2.ipynb", "no", "3", "", "", "", "", "0", "DeadKernelError: Kernel died", "", "", "0.0", ""},
		{"subs/carla/tarea.ipynb", "no", "3", "2", "", "", "", "0", "el kernel murió en la celda 3 (DeadKernelError: Kernel died)", "3", "out/carla/tarea.ipynb", "2.0", ""},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("report rows:\n%q\nwant\n%q", rows, want)
	}
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		"subs/ana/tarea.ipynb",
		"subs/ana/notas.txt",
		"subs/ben/tarea.ipynb",
		"subs/ben/.ipynb_checkpoints/tarea-checkpoint.ipynb",
		"subs/.hidden/x.ipynb",
		"subs/executed/ana/tarea.ipynb", // the output folder, from an earlier run
		"suelta/tarea.ipynb",
	} {
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	subs := filepath.Join(dir, "subs")
	loose := filepath.Join(dir, "suelta", "tarea.ipynb")
	nbs, err := Collect([]string{subs, loose}, filepath.Join(subs, "executed"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Notebook{
		{Path: filepath.Join(subs, "ana", "tarea.ipynb"), Rel: filepath.Join("ana", "tarea.ipynb")},
		{Path: filepath.Join(subs, "ben", "tarea.ipynb"), Rel: filepath.Join("ben", "tarea.ipynb")},
		{Path: loose, Rel: "tarea.ipynb"},
	}
	if !reflect.DeepEqual(nbs, want) {
		t.Errorf("Collect =\n%+v\nwant\n%+v", nbs, want)
	}

	// The same notebook given twice lands on two executed copies.
	nbs, err = Collect([]string{loose, loose}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(nbs) != 2 || nbs[0].Rel != "tarea.ipynb" || nbs[1].Rel != "tarea-2.ipynb" {
		t.Errorf("Collect of one file twice = %+v", nbs)
	}

	if _, err := Collect([]string{filepath.Join(dir, "missing")}, ""); err == nil {
		t.Error("Collect of a missing path: no error")
	}
}

func TestLastPythonError(t *testing.T) {
	stderr := `[NbConvertApp] Converting notebook dies.ipynb to notebook
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 1006, in _async_check_alive
    raise DeadKernelError("Kernel died")
nbclient.exceptions.DeadKernelError: Kernel died
`
	if got := lastPythonError(stderr); got != "DeadKernelError: Kernel died" {
		t.Errorf("lastPythonError = %q", got)
	}
	if got := lastPythonError("[NbConvertApp] nothing wrong\n"); got != "" {
		t.Errorf("lastPythonError of no traceback = %q", got)
	}
}

// Grade reports a notebook it cannot run in its row, without running
// nbconvert on invalid JSON, and with the command's error when nbconvert
// cannot start.
func TestGradeBrokenNotebooks(t *testing.T) {
	dir := t.TempDir()
	invalid := filepath.Join(dir, "invalid.ipynb")
	good := filepath.Join(dir, "good.ipynb")
	os.WriteFile(invalid, []byte(`{"cells": [`), 0o644)
	os.WriteFile(good, []byte(executed), 0o644)
	g := &Grader{Nbconvert: []string{filepath.Join(dir, "no-such-nbconvert")}, OutDir: filepath.Join(dir, "out"), Timeout: time.Second}

	r := g.Grade(context.Background(), Notebook{Path: invalid, Rel: "invalid.ipynb"})
	if r.Ran || !strings.Contains(r.RunError, "JSON inválido en la línea 1") {
		t.Errorf("invalid JSON: %+v", r)
	}
	r = g.Grade(context.Background(), Notebook{Path: good, Rel: "good.ipynb"})
	if r.Ran || !strings.Contains(r.RunError, "no-such-nbconvert") || r.Cells.Code != 5 {
		t.Errorf("without nbconvert: %+v", r)
	}
	r = g.Grade(context.Background(), Notebook{Path: filepath.Join(dir, "missing.ipynb"), Rel: "missing.ipynb"})
	if r.Ran || r.RunError == "" {
		t.Errorf("a missing notebook: %+v", r)
	}
}

func TestTailBuffer(t *testing.T) {
	var b tailBuffer
	b.Write(bytes.Repeat([]byte("x"), tailMax))
	b.Write([]byte("the end"))
	if s := b.String(); len(s) != tailMax || !strings.HasSuffix(s, "the end") {
		t.Errorf("tailBuffer kept %d bytes ending %q", len(s), s[len(s)-10:])
	}
}

// GradeAll gives the results in the notebooks' order whatever order they
// end in, calls done once per notebook, and grades nothing once stopped.
func TestGradeAll(t *testing.T) {
	dir := t.TempDir()
	var nbs []Notebook
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		path := filepath.Join(dir, name+".ipynb")
		if err := os.WriteFile(path, []byte(executed), 0o644); err != nil {
			t.Fatal(err)
		}
		nbs = append(nbs, Notebook{Path: path, Rel: name + ".ipynb"})
	}
	// nbconvert that cannot start: every Grade ends at once, with a row.
	g := &Grader{Nbconvert: []string{filepath.Join(dir, "no-such-nbconvert")}, OutDir: filepath.Join(dir, "out")}
	for _, jobs := range []int{0, 1, 3, 10} {
		seen := map[int]bool{}
		results := g.GradeAll(context.Background(), nbs, jobs, func(i int, r Result) {
			if seen[i] || r.Path != nbs[i].Path {
				t.Errorf("jobs %d: done(%d, %s) twice or for the wrong notebook", jobs, i, r.Path)
			}
			seen[i] = true
		})
		if len(results) != len(nbs) || len(seen) != len(nbs) {
			t.Fatalf("jobs %d: %d results, done called for %d; want %d", jobs, len(results), len(seen), len(nbs))
		}
		for i, r := range results {
			if r.Path != nbs[i].Path || r.Ran || !strings.Contains(r.RunError, "no-such-nbconvert") {
				t.Errorf("jobs %d: result %d = %+v, want %s not run", jobs, i, r, nbs[i].Path)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if results := g.GradeAll(ctx, nbs, 2, nil); len(results) != 0 {
		t.Errorf("GradeAll after its context was done graded %d notebooks", len(results))
	}
}

func TestReadMetadata(t *testing.T) {
	m, err := ReadMetadata([]byte(`{"metadata": {"lang": "es", "kernelspec": {"name": "python3", "language": "python"}}, "cells": []}`))
	if err != nil || m != (Metadata{Lang: "es", KernelName: "python3", KernelLanguage: "python"}) {
		t.Errorf("ReadMetadata = %+v, %v", m, err)
	}
	if m, err := ReadMetadata([]byte(`{"cells": []}`)); err != nil || m != (Metadata{}) {
		t.Errorf("a notebook without metadata: %+v, %v", m, err)
	}
	if _, err := ReadMetadata([]byte(`{"metadata": `)); err == nil {
		t.Error("invalid JSON read as metadata")
	}
}
