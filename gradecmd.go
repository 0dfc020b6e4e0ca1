package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"gomp/grade"
)

// defaultCellTimeout is how long one cell may run when grading. A class's
// lessons and exercises run in seconds; a submission stuck in a for {}
// should cost a minute of the batch, not ten. -timeout overrides it.
const defaultCellTimeout = 60 * time.Second

// runGrade is `gomp grade`: run submitted notebooks through nbconvert and
// write a CSV report, one row per notebook (see package grade).
func runGrade(args []string) error {
	fs := flag.NewFlagSet("gomp grade", flag.ContinueOnError)
	report := fs.String("o", "report.csv", "write the CSV report to `file` (- for stdout)")
	outDir := fs.String("out", "executed", "keep the executed notebooks in `dir`")
	timeout := fs.Duration("timeout", defaultCellTimeout, "interrupt a cell that runs longer, and go on with the next (0: no limit)")
	kernel := fs.String("kernel", "gomp", "run every notebook with this `kernel` (empty: the one each notebook names)")
	nbconvert := fs.String("nbconvert", "jupyter nbconvert", "the nbconvert `command`, split on spaces")
	jobs := fs.Int("jobs", runtime.NumCPU(), "grade `n` notebooks at once (each has its kernel and its children)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: gomp grade [flags] FOLDER_OR_NOTEBOOK...

Runs each notebook (folders are searched for *.ipynb) with
jupyter nbconvert --execute --allow-errors, keeps the executed copies, and
writes a CSV row per notebook: whether it ran, which cells failed and their
errors, or why it did not run. A broken notebook never stops the batch;
one whose kernel dies keeps the cells that ran before, and its row says
the cell it died in. A cell running past -timeout is interrupted, reported
as failed, and the next cell runs. -jobs notebooks run at once; the
report's rows are in the order the notebooks were found. Its columns are
in Spanish, the language of the course (cuaderno, completo,
celdas_fallidas, motivo_incompleto, murio_en_celda, ...): notebooks/README.md
says what each holds.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("gomp grade: give the folders or notebooks to grade")
	}
	notebooks, err := grade.Collect(fs.Args(), *outDir)
	if err != nil {
		return fmt.Errorf("gomp grade: %w", err)
	}
	if len(notebooks) == 0 {
		return fmt.Errorf("gomp grade: no notebooks (*.ipynb) in %s", strings.Join(fs.Args(), " "))
	}
	// Check that the report can be written before spending an hour.
	w := os.Stdout
	if *report != "-" {
		f, err := os.Create(*report)
		if err != nil {
			return fmt.Errorf("gomp grade: %w", err)
		}
		defer f.Close()
		w = f
	}

	// Ctrl-C stops the batch (nbconvert gets killed), and the report
	// still lists what was graded.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &grade.Grader{
		Nbconvert: strings.Fields(*nbconvert),
		Kernel:    *kernel,
		Timeout:   *timeout,
		OutDir:    *outDir,
	}
	failing, broken, finished := 0, 0, 0
	results := g.GradeAll(ctx, notebooks, *jobs, func(i int, r grade.Result) {
		finished++
		status := "ran, no failing cells"
		switch n := len(r.Cells.Failures()); {
		case r.Stopped != nil:
			status = fmt.Sprintf("stopped: %s; %d %s executed", r.RunError, r.Cells.Executed, plural(r.Cells.Executed, "cell", "cells"))
			broken++
		case !r.Ran:
			status = "did not run: " + r.RunError
			broken++
		case n > 0:
			status = fmt.Sprintf("ran, %d failing %s", n, plural(n, "cell", "cells"))
			failing++
		}
		fmt.Fprintf(os.Stderr, "[%d/%d] %s: %s (%.1fs)\n", finished, len(notebooks), r.Path, status, r.Elapsed.Seconds())
	})
	if err := grade.WriteCSV(w, results, *timeout); err != nil {
		return fmt.Errorf("gomp grade: writing the report: %w", err)
	}
	where := *report
	if where == "-" {
		where = "stdout"
	}
	outAbs, _ := filepath.Abs(*outDir)
	fmt.Fprintf(os.Stderr, "graded %d %s: %d ran without failing cells, %d with failing cells, %d did not run to the end; report in %s, executed notebooks in %s\n",
		len(results), plural(len(results), "notebook", "notebooks"), len(results)-failing-broken, failing, broken, where, outAbs)
	if ctx.Err() != nil {
		return errors.New("gomp grade: interrupted; the report lists the notebooks graded before")
	}
	return nil
}

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
