package jupytertest

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

// The nbgrader recipe of notebooks/README.md, as far as it can be checked
// without nbgrader, which Debian does not package (nbgrader_shape.py says
// what it checks): its config loads and has a stub for "go", its metadata
// is valid nbformat, and with gomp the teacher's notebook passes its test
// cell while the student's version, the solution cleared to the stub,
// fails it.
func TestNbgraderShape(t *testing.T) {
	needJupyter(t)
	dir := t.TempDir()
	out, err := runPython(t, time.Minute, nil, "nbgrader_shape.py", filepath.Join("..", "notebooks", "README.md"), dir)
	if err != nil {
		t.Fatalf("nbgrader_shape.py: %v\n%s", err, out)
	}
	var shape struct {
		OK      bool   `json:"ok"`
		Stub    string `json:"stub"`
		Student string `json:"student"`
	}
	if err := json.Unmarshal([]byte(out), &shape); err != nil || !shape.OK {
		t.Fatalf("nbgrader_shape.py said %q (%v)", out, err)
	}
	executed := filepath.Join(dir, "executed")
	for _, name := range []string{"profesor", "alumno"} {
		_, stderr, err := runCmd(t, 3*time.Minute, nil, python, "-m", "nbconvert",
			"--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.timeout=60",
			"--output-dir", executed, filepath.Join(dir, name+".ipynb"))
		if err != nil {
			t.Fatalf("nbconvert %s: %v\n%s", name, err, stderr)
		}
	}
	profesor := readOutputs(t, filepath.Join(executed, "profesor.ipynb"))
	for i, outs := range profesor {
		if errs := ofType(outs, "error"); len(errs) > 0 {
			t.Errorf("the teacher's notebook, cell %d: %+v", i+1, errs)
		}
	}
	// The student's version declares suma as the stub, which compiles (a
	// panic ends a function), and its test cell then fails, as nbgrader
	// scores a cell that ends in an error: zero points.
	alumno := readOutputs(t, filepath.Join(executed, "alumno.ipynb"))
	if errs := ofType(alumno[1], "error"); len(errs) > 0 {
		t.Errorf("the student's solution cell (%q) fails before the student writes anything: %+v", shape.Student, errs)
	}
	errs := ofType(alumno[2], "error")
	if len(errs) != 1 || errs[0].Ename != "panic" || errs[0].Evalue != "sin resolver" {
		t.Errorf("the student's test cell: errors %+v, want panic: sin resolver", errs)
	}
}
