package grade

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// partialNotebook is what KeepPartial writes when the kernel dies in the
// third cell: the first code cell ran, the one that killed the kernel has
// its execution count and no error output, the last one never ran.
const partialNotebook = `{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": "# Tarea"},
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
    {"output_type": "stream", "name": "stdout", "text": "hola\n"}
  ], "source": "fmt.Println(\"hola\")"},
  {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [], "source": "syscall.Kill(os.Getpid(), syscall.SIGKILL)"},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": "1"}
 ],
 "metadata": {"gomp_grade": {"stopped_at_cell": 3, "error": "DeadKernelError: Kernel died"}},
 "nbformat": 4,
 "nbformat_minor": 5
}`

func TestReadPartial(t *testing.T) {
	cells, stopped, err := readPartial([]byte(partialNotebook))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Cells{Code: 3, Executed: 2}); !reflect.DeepEqual(cells, want) {
		t.Errorf("cells = %+v, want %+v", cells, want)
	}
	if want := (Stopped{Cell: 3, Error: "DeadKernelError: Kernel died"}); stopped != want {
		t.Errorf("stopped = %+v, want %+v", stopped, want)
	}
	// A notebook without the executor's metadata is not a partial run.
	if _, _, err := readPartial([]byte(executed)); err == nil {
		t.Error("readPartial of a notebook without metadata.gomp_grade: no error")
	}
}

func TestDescribeStop(t *testing.T) {
	for _, tc := range []struct {
		stopped Stopped
		runErr  string
		want    string
	}{
		{Stopped{3, "DeadKernelError: Kernel died"}, "DeadKernelError: Kernel died", "el kernel murió en la celda 3 (DeadKernelError: Kernel died)"},
		{Stopped{0, "DeadKernelError: Kernel died"}, "", "el kernel murió antes de la primera celda (DeadKernelError: Kernel died)"},
		{Stopped{5, "RuntimeError: Kernel didn't respond"}, "", "la ejecución se detuvo en la celda 5 (RuntimeError: Kernel didn't respond)"},
	} {
		if got := describeStop(tc.stopped, tc.runErr); got != tc.want {
			t.Errorf("describeStop(%+v, %q) = %q, want %q", tc.stopped, tc.runErr, got, tc.want)
		}
	}
}

// nbconvert finds the executor on PYTHONPATH, ahead of what was there, and
// is told where to write; a stale GOMP_GRADE_PARTIAL is replaced.
func TestPartialRunEnv(t *testing.T) {
	p, err := newPartialRun()
	if err != nil {
		t.Fatal(err)
	}
	defer p.remove()
	module, err := os.ReadFile(filepath.Join(p.dir, partialModuleName+".py"))
	if err != nil || !strings.Contains(string(module), "class KeepPartial(ExecutePreprocessor)") {
		t.Fatalf("the executor module: %v\n%s", err, module)
	}
	env := p.env([]string{"HOME=/h", "PYTHONPATH=/mine", "GOMP_GRADE_PARTIAL=/stale"})
	want := []string{"HOME=/h", "PYTHONPATH=" + p.dir + string(os.PathListSeparator) + "/mine", "GOMP_GRADE_PARTIAL=" + p.path}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("env = %q, want %q", env, want)
	}
	if env := p.env([]string{"PYTHONPATH="}); !reflect.DeepEqual(env, []string{"PYTHONPATH=" + p.dir, "GOMP_GRADE_PARTIAL=" + p.path}) {
		t.Errorf("env with an empty PYTHONPATH = %q", env)
	}
	if args := p.preprocessorArgs(); len(args) != 1 || !strings.Contains(args[0], partialModuleName+".KeepPartial") {
		t.Errorf("preprocessorArgs = %q", args)
	}
	p.remove()
	if _, err := os.Stat(p.dir); !os.IsNotExist(err) {
		t.Errorf("remove left %s: %v", p.dir, err)
	}
}

// A run that stopped mid-way keeps its cells in the executed copy, and the
// Result says where it stopped.
func TestKeepPartial(t *testing.T) {
	p, err := newPartialRun()
	if err != nil {
		t.Fatal(err)
	}
	defer p.remove()
	out := filepath.Join(t.TempDir(), "tarea.ipynb")
	g := &Grader{}

	r := Result{RunError: "DeadKernelError: Kernel died"}
	g.keepPartial(&r, p, out) // nothing written: the run stopped before executing
	if r.Stopped != nil || r.Executed != "" || r.RunError != "DeadKernelError: Kernel died" {
		t.Errorf("without a partial notebook: %+v", r)
	}

	if err := os.WriteFile(p.path, []byte(partialNotebook), 0o644); err != nil {
		t.Fatal(err)
	}
	g.keepPartial(&r, p, out)
	if r.Stopped == nil || r.Stopped.Cell != 3 || r.Executed != out || r.Cells.Executed != 2 ||
		r.RunError != "el kernel murió en la celda 3 (DeadKernelError: Kernel died)" {
		t.Errorf("with a partial notebook: %+v", r)
	}
	if data, err := os.ReadFile(out); err != nil || string(data) != partialNotebook {
		t.Errorf("the executed copy: %v\n%s", err, data)
	}
}
