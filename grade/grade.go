// Package grade runs a batch of notebooks through Jupyter's own nbconvert,
// as a teacher grades submitted work, and reports per notebook whether it
// ran, which cells failed and with what error.
//
// It is glue only: nbconvert (and its nbclient) execute each notebook with
// --allow-errors, so every cell runs whatever fails before it, and with
// interrupt_on_timeout, so a cell that never ends is interrupted after the
// timeout and the rest still run. The executed notebooks, child process
// output included, are kept for the teacher to read; package grade reads
// them back and writes the report (WriteCSV).
//
// A broken notebook never stops the batch: invalid JSON, a kernel that
// dies, nbconvert failing or overrunning are reported in that notebook's
// row, and the next notebook runs. A notebook whose kernel dies mid-way
// keeps the cells that ran before: nbconvert executes with a subclass of
// its ExecutePreprocessor that writes the notebook as far as it ran
// (partial.go), and the row says in which cell the kernel died.
package grade

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Grader runs notebooks with nbconvert.
type Grader struct {
	// Nbconvert is the command that runs nbconvert, with its arguments:
	// {"jupyter", "nbconvert"}, or {"/usr/bin/python3", "-m", "nbconvert"}.
	Nbconvert []string
	// Kernel is the kernel to run every notebook with; empty: the kernel
	// each notebook's metadata names.
	Kernel string
	// Timeout is how long one cell may run before it is interrupted (an
	// error of that cell, reported as such); 0: no limit.
	Timeout time.Duration
	// OutDir is where the executed notebooks go, under the same relative
	// paths as the notebooks had in the folders given to Collect.
	OutDir string
	// Env is the environment of nbconvert; nil: this process's.
	Env []string
}

// Notebook is a notebook to grade.
type Notebook struct {
	Path string // as found or given
	Rel  string // where its executed copy goes, relative to OutDir
}

// Result is the grade of one notebook.
type Result struct {
	Notebook
	Ran      bool   // nbconvert executed it and wrote the executed notebook
	Executed string // the executed notebook's path; empty if none was written
	Cells    Cells  // from the executed notebook (or, if it did not run, the input)
	RunError string // why it did not run: nbconvert's or the kernel's error, a timeout, invalid JSON
	// Stopped is set when the run stopped mid-way (the kernel died) and
	// the cells that ran before are in Cells and Executed.
	Stopped *Stopped
	// Warning is what the teacher should know about a notebook that ran:
	// a notebook of another language run with the Grader's Kernel.
	Warning string
	Elapsed time.Duration
}

// Collect lists the notebooks to grade: each argument is a notebook, or a
// folder searched for *.ipynb (hidden folders, .ipynb_checkpoints and
// skip, the output folder, left out). Executed copies keep their path
// relative to the folder they were found in; two notebooks that would land
// on one path get distinct names.
func Collect(args []string, skip string) ([]Notebook, error) {
	skipAbs := ""
	if skip != "" {
		skipAbs, _ = filepath.Abs(skip)
	}
	var nbs []Notebook
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			nbs = append(nbs, Notebook{Path: arg, Rel: filepath.Base(arg)})
			continue
		}
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != arg && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				if abs, _ := filepath.Abs(path); skipAbs != "" && abs == skipAbs {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(d.Name(), ".ipynb") {
				rel, err := filepath.Rel(arg, path)
				if err != nil {
					return err
				}
				nbs = append(nbs, Notebook{Path: path, Rel: rel})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("searching %s for notebooks: %w", arg, err)
		}
	}
	seen := map[string]bool{}
	for i := range nbs {
		rel := nbs[i].Rel
		base := strings.TrimSuffix(rel, ".ipynb")
		for n := 2; seen[rel]; n++ {
			rel = base + "-" + strconv.Itoa(n) + ".ipynb"
		}
		seen[rel] = true
		nbs[i].Rel = rel
	}
	return nbs, nil
}

// kernelStartup is what a whole notebook's time limit allows for starting
// and stopping the kernel, besides its cells' timeouts.
const kernelStartup = 2 * time.Minute

// Grade runs one notebook and reads back what it did. Problems with the
// notebook are in the Result, never an error: the batch goes on.
func (g *Grader) Grade(ctx context.Context, nb Notebook) (r Result) {
	start := time.Now()
	r.Notebook = nb
	defer func() { r.Elapsed = time.Since(start) }()

	data, err := os.ReadFile(nb.Path)
	if err != nil {
		r.RunError = err.Error()
		return r
	}
	// nbconvert would refuse invalid JSON too, after starting up; saying
	// so here is quicker and names the line.
	input, err := ReadCells(data)
	if err != nil && !errors.Is(err, errNotNotebook) {
		r.RunError = describeJSONError(data, err)
		return r
	}
	r.Cells = input
	meta, _ := ReadMetadata(data) // its JSON was read just above
	if g.Kernel != "" && meta.KernelLanguage != "" && meta.KernelLanguage != "go" {
		r.Warning = fmt.Sprintf("el cuaderno es de %s (kernel %s) y se ejecutó con el kernel %s", meta.KernelLanguage, meta.KernelName, g.Kernel)
	}

	out := filepath.Join(g.OutDir, nb.Rel)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		r.RunError = err.Error()
		return r
	}
	// A copy left by an earlier run must not pass for this run's.
	if err := os.Remove(out); err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.RunError = err.Error()
		return r
	}

	// Every cell may use its timeout; past that (a kernel that ignores
	// interrupts, a hung nbconvert) the notebook as a whole is stopped.
	if g.Timeout > 0 {
		cells := max(input.Code, 1)
		limit := time.Duration(cells+1)*g.Timeout + kernelStartup
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	partial, err := newPartialRun()
	if err != nil {
		r.RunError = err.Error()
		return r
	}
	defer partial.remove()
	stderr, err := g.nbconvert(ctx, nb.Path, out, partial, meta.Lang)
	if err != nil {
		r.RunError = runError(ctx, err, stderr)
		g.keepPartial(&r, partial, out)
		return r
	}
	data, err = os.ReadFile(out)
	if err != nil {
		r.RunError = fmt.Sprintf("nbconvert terminó pero no escribió %s: %v", out, err)
		return r
	}
	executed, err := ReadCells(data)
	if err != nil {
		r.RunError = fmt.Sprintf("el cuaderno ejecutado %s: %v", out, err)
		return r
	}
	r.Ran, r.Executed, r.Cells = true, out, executed
	return r
}

// keepPartial puts into r what a run that stopped mid-way left: the cells
// that ran, in an executed copy at out, and where it stopped.
func (g *Grader) keepPartial(r *Result, partial *partialRun, out string) {
	data, err := os.ReadFile(partial.path)
	if err != nil {
		return // it stopped before executing (or its executor was killed)
	}
	cells, stopped, err := readPartial(data)
	if err != nil {
		r.RunError += fmt.Sprintf("; el cuaderno hasta donde se ejecutó no se puede leer: %v", err)
		return
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		r.RunError += fmt.Sprintf("; al guardar el cuaderno hasta donde se ejecutó: %v", err)
		return
	}
	r.Cells, r.Executed, r.Stopped = cells, out, &stopped
	r.RunError = describeStop(stopped, r.RunError)
}

// nbconvert executes in into out and returns its stderr. lang, the
// notebook's metadata "lang", goes to the kernel as $GOMP_LANG: nbconvert
// does not tell the kernel which notebook it runs, and gomp's timelines
// speak the notebook's language.
func (g *Grader) nbconvert(ctx context.Context, in, out string, partial *partialRun, lang string) (string, error) {
	if len(g.Nbconvert) == 0 {
		return "", errors.New("no nbconvert command")
	}
	args := append(g.Nbconvert[1:len(g.Nbconvert):len(g.Nbconvert)], "--to", "notebook")
	args = append(args, partial.preprocessorArgs()...)
	args = append(args, "--allow-errors",
		"--ExecutePreprocessor.interrupt_on_timeout=True",
		"--output-dir", filepath.Dir(out),
		"--output", strings.TrimSuffix(filepath.Base(out), ".ipynb"),
	)
	if g.Timeout > 0 {
		// nbclient takes whole seconds.
		secs := int((g.Timeout + time.Second - 1) / time.Second)
		args = append(args, "--ExecutePreprocessor.timeout="+strconv.Itoa(secs))
	} else {
		args = append(args, "--ExecutePreprocessor.timeout=-1")
	}
	if g.Kernel != "" {
		args = append(args, "--ExecutePreprocessor.kernel_name="+g.Kernel)
	}
	args = append(args, in)
	cmd := exec.CommandContext(ctx, g.Nbconvert[0], args...)
	cmd.Env = partial.env(g.Env)
	if lang != "" {
		cmd.Env = append(cmd.Env, "GOMP_LANG="+lang)
	}
	// Its own process group, killed whole when the notebook overruns. The
	// kernel it started is in a session of its own and notices its
	// frontend's death (Jupyter kernels watch JPY_PARENT_PID).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var errb tailBuffer
	cmd.Stderr = &errb
	err := cmd.Run()
	return errb.String(), err
}

// runError says why nbconvert failed: its own last error line (nbclient's
// DeadKernelError, a CellTimeoutError, a NotJSONError...), or the time
// limit that stopped it.
func runError(ctx context.Context, err error, stderr string) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "detenido: el cuaderno pasó de su límite de tiempo (el de cada celda, más el arranque del kernel)"
	}
	if line := lastPythonError(stderr); line != "" {
		return line
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if line := lastLine(stderr); line != "" {
			return fmt.Sprintf("nbconvert falló (%v): %s", err, line)
		}
		return fmt.Sprintf("nbconvert falló (%v)", err)
	}
	return fmt.Sprintf("al ejecutar nbconvert: %v", err)
}

// pythonError matches the last line of a Python traceback:
// "nbclient.exceptions.DeadKernelError: Kernel died".
var pythonError = regexp.MustCompile(`^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)): ?(.*)$`)

func lastPythonError(stderr string) string {
	lines := strings.Split(stderr, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if m := pythonError.FindStringSubmatch(strings.TrimSpace(lines[i])); m != nil {
			name := m[1][strings.LastIndex(m[1], ".")+1:]
			return firstLine(name + ": " + m[3])
		}
	}
	return ""
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return firstLine(s[strings.LastIndex(s, "\n")+1:])
}

// describeJSONError names the line of a JSON syntax error.
func describeJSONError(data []byte, err error) string {
	var syn *jsonSyntaxError
	if errors.As(err, &syn) {
		line := 1 + bytes.Count(data[:min(int(syn.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("no es un cuaderno: JSON inválido en la línea %d: %v", line, syn)
	}
	return "no es un cuaderno: " + err.Error()
}

// tailBuffer keeps the last 64 KiB written to it: enough for a Python
// traceback, bounded however much a broken run logs.
type tailBuffer struct{ b []byte }

const tailMax = 64 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailMax {
		t.b = append(t.b[:0], t.b[len(t.b)-tailMax:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// GradeAll grades nbs, jobs at a time (at least one), and returns their
// results in the order of nbs. done, if not nil, is called as each one
// ends, from one goroutine at a time. Once ctx is done, notebooks not yet
// begun are left out: the results are those graded, in order.
func (g *Grader) GradeAll(ctx context.Context, nbs []Notebook, jobs int, done func(i int, r Result)) []Result {
	jobs = max(1, min(jobs, len(nbs)))
	results := make([]Result, len(nbs))
	graded := make([]bool, len(nbs))
	next := make(chan int)
	var mu sync.Mutex // done's calls and graded
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					continue // stopped: drain without grading
				}
				r := g.Grade(ctx, nbs[i])
				mu.Lock()
				results[i], graded[i] = r, true
				if done != nil {
					done(i, r)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range nbs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	var out []Result
	for i, r := range results {
		if graded[i] {
			out = append(out, r)
		}
	}
	return out
}
