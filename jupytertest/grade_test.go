package jupytertest

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeNotebook writes cells as a gomp notebook at path, with nbformat
// (mknotebook.py), so that it is valid as Jupyter writes them.
func writeNotebook(t *testing.T, path string, cells []cell) {
	t.Helper()
	writeNotebookMeta(t, path, "", cells)
}

// writeNotebookMeta is writeNotebook with metadata (JSON) replacing keys
// of a gomp notebook's.
func writeNotebookMeta(t *testing.T, path, metadata string, cells []cell) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	spec, err := json.Marshal(cells)
	if err != nil {
		t.Fatal(err)
	}
	mk := path + ".cells.json"
	if err := os.WriteFile(mk, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(mk)
	if _, errOut, err := runCmd(t, time.Minute, nil, "/bin/sh", "-c", python+" mknotebook.py '"+path+"' '"+metadata+"' < '"+mk+"'"); err != nil {
		t.Fatalf("mknotebook.py: %v\n%s", err, errOut)
	}
}

// readOutputs returns an executed notebook's outputs, cell by cell.
func readOutputs(t *testing.T, path string) [][]output {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Outputs []output `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var outs [][]output
	for _, c := range nb.Cells {
		outs = append(outs, c.Outputs)
	}
	return outs
}

// `gomp grade` on a folder of submissions, good and broken, two at a time:
// a row per notebook in the CSV, in order, the batch never stopped by one,
// executed copies kept.
func TestGrade(t *testing.T) {
	needJupyter(t)
	dir := t.TempDir()
	subs := filepath.Join(dir, "entregas")
	writeNotebook(t, filepath.Join(subs, "ana", "tarea.ipynb"), []cell{
		{Source: `import "fmt"`},
		{Source: `fmt.Println("hola")`},
		{Source: `panic("esperado")`, Tags: []string{"raises-exception"}},
		{Source: `1 + 2`},
	})
	writeNotebook(t, filepath.Join(subs, "ben", "tarea.ipynb"), []cell{
		{Source: `import "fmt"`},
		{Source: `panic("boom")`},
		{Source: `fmt.Println("sigue")`},
		{Source: "import \"os\"\n\nos.Exit(3)"},
		{Source: "for {\n}"}, // interrupted after the timeout
		{Source: `fmt.Println("fin")`},
	})
	writeNotebook(t, filepath.Join(subs, "carla", "tarea.ipynb"), []cell{
		{Source: "import (\n\t\"os\"\n\t\"syscall\"\n)"},
		// The kernel dies: cells run in its session process, whose parent
		// it is (a cell killing its own process only fails that cell).
		{Source: `syscall.Kill(os.Getppid(), syscall.SIGKILL)`},
		{Source: `1`},
	})
	if err := os.MkdirAll(filepath.Join(subs, "dani"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(subs, "dani", "tarea.ipynb"), []byte("{\"cells\": [\n  {\"cell_type\": \"code\",\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A Python notebook handed in by mistake: run with gomp, as every
	// submission is, its cells fail and its row says why.
	writeNotebookMeta(t, filepath.Join(subs, "erika", "tarea.ipynb"),
		`{"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}, "language_info": {"name": "python"}}`,
		[]cell{{Source: "cuadrados = [i * i for i in range(3)]"}, {Source: "import os\nprint(os.getpid())"}})
	// A Spanish notebook: its metadata's lang reaches the kernel, whose
	// timelines then speak Spanish (nbconvert alone names no notebook).
	writeNotebookMeta(t, filepath.Join(subs, "fede", "tarea.ipynb"), `{"lang": "es"}`, []cell{
		{Source: "import (\n\t\"fmt\"\n\t\"mp\"\n)"},
		{Source: "tl := mp.NewTimeline()\ntl.Span(\"uno\", func() {})\nfmt.Println(tl)"},
	})

	out := filepath.Join(dir, "ejecutadas")
	report := filepath.Join(dir, "notas.csv")
	_, stderr, err := runCmd(t, 5*time.Minute, nil, gompBin, "grade",
		"-nbconvert", python+" -m nbconvert", "-timeout", "5s", "-jobs", "2",
		"-out", out, "-o", report, subs)
	if err != nil {
		t.Fatalf("gomp grade: %v\n%s", err, stderr)
	}
	f, err := os.Open(report)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("the report is not CSV: %v", err)
	}
	if len(rows) != 7 || rows[0][0] != "cuaderno" {
		t.Fatalf("want a header and 6 rows; report:\n%q\ngomp grade said:\n%s", rows, stderr)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	byName := map[string]map[string]string{}
	var order []string
	for _, r := range rows[1:] {
		student := filepath.Base(filepath.Dir(r[col["cuaderno"]]))
		order = append(order, student)
		byName[student] = map[string]string{}
		for name, i := range col {
			byName[student][name] = r[i]
		}
	}
	if got := strings.Join(order, " "); got != "ana ben carla dani erika fede" {
		t.Errorf("rows in the order %s, want the order the notebooks were found: ana ben carla dani erika fede", got)
	}
	check := func(student, column, want string) {
		t.Helper()
		if got := byName[student][column]; got != want {
			t.Errorf("%s: %s = %q, want %q (row %v)", student, column, got, want, byName[student])
		}
	}
	checkHas := func(student, column string, wants ...string) {
		t.Helper()
		for _, want := range wants {
			if got := byName[student][column]; !strings.Contains(got, want) {
				t.Errorf("%s: %s = %q, want it to contain %q", student, column, got, want)
			}
		}
	}

	check("ana", "completo", "sí")
	check("ana", "num_celdas_ejecutadas", "4")
	check("ana", "celdas_fallidas", "")
	check("ana", "num_errores_esperados", "1")
	check("ana", "cuaderno_ejecutado", filepath.Join(out, "ana", "tarea.ipynb"))
	check("ana", "aviso", "")

	check("ben", "completo", "sí")
	check("ben", "num_celdas_codigo", "6")
	check("ben", "num_celdas_ejecutadas", "6")
	check("ben", "celdas_fallidas", "2;4;5")
	check("ben", "In_de_fallidas", "2;4;5")
	checkHas("ben", "errores", "In [2] panic: boom", "In [4] Exit:", "3", "In [5] Interrupted: pasó del límite de 5s por celda y se interrumpió")
	outs := readOutputs(t, filepath.Join(out, "ben", "tarea.ipynb"))
	if got := streams(outs[5], "stdout"); got != "fin\n" {
		t.Errorf("ben's last cell, after the interrupted one, printed %q; outputs %+v", got, outs[5])
	}

	// The kernel dies in carla's second cell: her row keeps the cell that
	// ran before, says where it died, and her executed copy has them.
	check("carla", "completo", "no")
	checkHas("carla", "motivo_incompleto", "el kernel murió en la celda 2", "DeadKernelError")
	check("carla", "murio_en_celda", "2")
	check("carla", "num_celdas_codigo", "3")
	check("carla", "cuaderno_ejecutado", filepath.Join(out, "carla", "tarea.ipynb"))
	carla := readOutputs(t, filepath.Join(out, "carla", "tarea.ipynb"))
	if len(carla) != 3 {
		t.Errorf("carla's executed copy has %d cells, want 3", len(carla))
	}
	if n := byName["carla"]["num_celdas_ejecutadas"]; n != "1" && n != "2" { // the dying cell may have its count
		t.Errorf("carla: num_celdas_ejecutadas = %q, want the first cell (and perhaps the one that died)", n)
	}

	check("dani", "completo", "no")
	checkHas("dani", "motivo_incompleto", "JSON inválido en la línea 3")
	check("dani", "cuaderno_ejecutado", "")

	check("erika", "completo", "sí")
	check("erika", "celdas_fallidas", "1;2")
	checkHas("erika", "errores", "In [1] CompileError", "In [2] CompileError")
	check("erika", "aviso", "el cuaderno es de python (kernel python3) y se ejecutó con el kernel gomp")

	check("fede", "completo", "sí")
	check("fede", "celdas_fallidas", "")
	fede := readOutputs(t, filepath.Join(out, "fede", "tarea.ipynb"))
	if got := streams(fede[1], "stdout"); !strings.Contains(got, "desde") || !strings.Contains(got, "duración") {
		t.Errorf("fede's timeline, in a notebook whose metadata says lang es, printed %q, want Spanish headers", got)
	}

	if !strings.Contains(stderr, "graded 6 notebooks: 2 ran without failing cells, 2 with failing cells, 2 did not run to the end") {
		t.Errorf("gomp grade's summary:\n%s", stderr)
	}
}

// Child processes' output is in the executed notebook under the cell that
// started and joined them, and nowhere else.
func TestGradeChildOutputUnderItsCell(t *testing.T) {
	needJupyter(t)
	dir := t.TempDir()
	nb := filepath.Join(dir, "hijos.ipynb")
	writeNotebook(t, nb, []cell{
		{Source: "import (\n\t\"fmt\"\n\t\"mp\"\n)"},
		{Source: "func saluda(n int) { fmt.Println(\"hijo\", n, \"de\", mp.ParentProcess().Pid()) }"},
		{Source: "var ps []*mp.Process\nfor i := range 3 {\n\tp := mp.NewProcess(saluda, i)\n\tp.Start()\n\tps = append(ps, p)\n}\nfor _, p := range ps {\n\tp.Join()\n}"},
		{Source: `fmt.Println("después")`},
	})
	out := filepath.Join(dir, "out")
	report := filepath.Join(dir, "report.csv")
	_, stderr, err := runCmd(t, 3*time.Minute, nil, gompBin, "grade",
		"-nbconvert", python+" -m nbconvert", "-timeout", "60s", "-out", out, "-o", report, nb)
	if err != nil {
		t.Fatalf("gomp grade: %v\n%s", err, stderr)
	}
	outs := readOutputs(t, filepath.Join(out, "hijos.ipynb"))
	if len(outs) != 4 {
		t.Fatalf("executed notebook has %d cells", len(outs))
	}
	joined := streams(outs[2], "stdout")
	for i := range 3 {
		if want := "hijo " + string(rune('0'+i)) + " de "; !strings.Contains(joined, want) {
			t.Errorf("the cell that joined its children lacks %q; it has %q", want, joined)
		}
	}
	if n := strings.Count(joined, "\n"); n != 3 {
		t.Errorf("the joining cell has %d lines, want 3: %q", n, joined)
	}
	for _, i := range []int{0, 1, 3} {
		if s := streams(outs[i], "stdout"); strings.Contains(s, "hijo") {
			t.Errorf("cell %d has a child's output: %q", i+1, s)
		}
	}
	if got := streams(outs[3], "stdout"); got != "después\n" {
		t.Errorf("last cell printed %q", got)
	}
	for i, o := range outs {
		if errs := ofType(o, "error"); len(errs) > 0 {
			t.Errorf("cell %d failed: %+v", i+1, errs)
		}
	}
}
