package grade

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Header is the first row of the CSV report.
var Header = []string{
	"file",              // the notebook, as found or given
	"ran",               // yes: nbconvert executed it to the end; no: see run_error
	"code_cells",        // code cells in the notebook
	"executed_cells",    // code cells that ran (empty ones do not), also when the run stopped mid-way
	"failed_cells",      // positions of the cells that failed, from 1, counting every cell: "4;9"
	"failed_in",         // their execution counts, In [n]: "2;5"
	"errors",            // "In [2] panic: boom; In [5] Exit: os.Exit(3)"
	"expected_errors",   // errors of cells tagged raises-exception, which are not failures
	"run_error",         // why it did not run (nbconvert's error, the kernel's death, invalid JSON)
	"stopped_at_cell",   // the cell (from 1, counting every cell) a run stopped at: the kernel died in it; empty if none
	"executed_notebook", // the executed copy, with every output, child processes' included
	"seconds",           // how long it took
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
		ran = "yes"
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
	}
}

// describe is one failed cell for the errors column. Under nbconvert only
// the cell timeout interrupts a cell, so an Interrupted error says so.
func describe(e CellError, timeout time.Duration) string {
	s := fmt.Sprintf("In [%d] %s", e.ExecutionCount, e.Name)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Name == "Interrupted" && timeout > 0 {
		s += fmt.Sprintf(" (it ran past the %v timeout)", timeout)
	}
	return s
}
