package grade

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Header is the first row of the CSV report. Its names are Spanish, the
// language of the course and of its grading docs (notebooks/README.md),
// without accents, so that any spreadsheet or script reads them; each says
// what the column holds, a number's name starting with num_.
var Header = []string{
	"cuaderno",              // the notebook, as found or given
	"completo",              // sí: nbconvert executed it to the end; no: see motivo_incompleto
	"num_celdas_codigo",     // code cells in the notebook
	"num_celdas_ejecutadas", // code cells that ran (empty ones do not), also when the run stopped mid-way
	"celdas_fallidas",       // positions of the cells that failed, from 1, counting every cell: "4;9"
	"In_de_fallidas",        // their execution counts, In [n]: "2;5"
	"errores",               // "In [2] panic: boom; In [5] Exit: os.Exit(3)"
	"num_errores_esperados", // errors of cells tagged raises-exception, which are not failures
	"motivo_incompleto",     // why it did not run to the end (nbconvert's error, the kernel's death, invalid JSON)
	"murio_en_celda",        // the cell (from 1, counting every cell) a run stopped at: the kernel died in it; empty if none
	"cuaderno_ejecutado",    // the executed copy, with every output, child processes' included
	"segundos",              // how long it took
	"aviso",                 // what to know about a notebook that ran: one of another language run with gomp
}

// WriteCSV writes the report: the header, then a row per result.
func WriteCSV(w io.Writer, results []Result, timeout time.Duration) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for _, r := range results {
		if err := cw.Write(row(r, timeout)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func row(r Result, timeout time.Duration) []string {
	ran := "no"
	if r.Ran {
		ran = "sí"
	}
	var cells, counts, errs []string
	expected := 0
	for _, e := range r.Cells.Errors {
		if e.Expected {
			expected++
			continue
		}
		cells = append(cells, strconv.Itoa(e.Cell))
		counts = append(counts, strconv.Itoa(e.ExecutionCount))
		errs = append(errs, describe(e, timeout))
	}
	executed, stopped := "", ""
	if r.Ran || r.Stopped != nil {
		executed = strconv.Itoa(r.Cells.Executed)
	}
	if r.Stopped != nil {
		stopped = strconv.Itoa(r.Stopped.Cell)
	}
	return []string{
		r.Path,
		ran,
		strconv.Itoa(r.Cells.Code),
		executed,
		strings.Join(cells, ";"),
		strings.Join(counts, ";"),
		strings.Join(errs, "; "),
		strconv.Itoa(expected),
		r.RunError,
		stopped,
		r.Executed,
		strconv.FormatFloat(r.Elapsed.Seconds(), 'f', 1, 64),
		r.Warning,
	}
}

// describe is one failed cell for the errors column. Under nbconvert only
// the cell timeout interrupts a cell, so an Interrupted error says so, in
// the report's words instead of the kernel's.
func describe(e CellError, timeout time.Duration) string {
	s := fmt.Sprintf("In [%d] %s", e.ExecutionCount, e.Name)
	msg := e.Message
	if e.Name == "Interrupted" && timeout > 0 {
		msg = fmt.Sprintf("pasó del límite de %v por celda y se interrumpió", timeout)
	}
	if msg != "" {
		s += ": " + msg
	}
	return s
}
