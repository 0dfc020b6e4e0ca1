package grade

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A notebook whose kernel dies mid-way makes nbconvert fail without
// writing anything, though nbclient holds every output of the cells that
// ran. nbconvert runs, instead of its own ExecutePreprocessor, this
// subclass of it (same options, same execution), which on any failure
// writes the notebook as far as it ran, with the cell it stopped at in its
// metadata, and then fails as nbconvert would.
const partialModuleName = "gomp_grade_partial"

const partialModule = `"""gomp grade's executor: nbconvert's ExecutePreprocessor that keeps the
notebook as far as it ran when execution stops (the kernel died), in the
file named by $GOMP_GRADE_PARTIAL."""
import json
import os

from nbconvert.preprocessors import ExecutePreprocessor


class KeepPartial(ExecutePreprocessor):
    def preprocess(self, nb, resources=None, km=None):
        self._gomp_index = None
        try:
            return super().preprocess(nb, resources, km)
        except BaseException as e:
            path = os.environ.get("GOMP_GRADE_PARTIAL")
            if path:
                part = getattr(self, "nb", None) or nb
                stopped = 0 if self._gomp_index is None else self._gomp_index + 1
                part.metadata["gomp_grade"] = {
                    "stopped_at_cell": stopped,
                    "error": "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else ""),
                }
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(part, f, ensure_ascii=False, indent=1)
            raise

    def preprocess_cell(self, cell, resources, index):
        self._gomp_index = index
        return super().preprocess_cell(cell, resources, index)
`

// partialRun is where one nbconvert run may leave its partial notebook.
type partialRun struct {
	dir  string // holds the module and the partial notebook
	path string // the partial notebook
}

// newPartialRun writes the module into a new temporary folder.
func newPartialRun() (*partialRun, error) {
	dir, err := os.MkdirTemp("", "gomp-grade-")
	if err != nil {
		return nil, fmt.Errorf("making a folder for the partial-notebook executor: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, partialModuleName+".py"), []byte(partialModule), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("writing the partial-notebook executor: %w", err)
	}
	return &partialRun{dir: dir, path: filepath.Join(dir, "partial.ipynb")}, nil
}

// env is base (nil: this process's environment) with the module importable
// and the partial notebook's path set.
func (p *partialRun) env(base []string) []string {
	if base == nil {
		base = os.Environ()
	}
	env := make([]string, 0, len(base)+2)
	pythonPath := p.dir
	for _, kv := range base {
		switch {
		case strings.HasPrefix(kv, "PYTHONPATH="):
			if old := strings.TrimPrefix(kv, "PYTHONPATH="); old != "" {
				pythonPath += string(os.PathListSeparator) + old
			}
		case strings.HasPrefix(kv, "GOMP_GRADE_PARTIAL="):
		default:
			env = append(env, kv)
		}
	}
	return append(env, "PYTHONPATH="+pythonPath, "GOMP_GRADE_PARTIAL="+p.path)
}

// preprocessorArgs make nbconvert execute with KeepPartial instead of its
// own ExecutePreprocessor (--execute would run both).
func (p *partialRun) preprocessorArgs() []string {
	return []string{`--NotebookExporter.preprocessors=["` + partialModuleName + `.KeepPartial"]`}
}

func (p *partialRun) remove() { os.RemoveAll(p.dir) }

// Stopped says where a partial notebook stopped and why.
type Stopped struct {
	Cell  int    // the cell it stopped at, from 1, counting every cell; 0: before the first
	Error string // nbclient's error: "DeadKernelError: Kernel died"
}

// readPartial reads a partial notebook's cells and where it stopped.
func readPartial(data []byte) (Cells, Stopped, error) {
	cells, err := ReadCells(data)
	if err != nil {
		return Cells{}, Stopped{}, err
	}
	var meta struct {
		Metadata struct {
			Grade *struct {
				StoppedAt int    `json:"stopped_at_cell"`
				Error     string `json:"error"`
			} `json:"gomp_grade"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return Cells{}, Stopped{}, err
	}
	if meta.Metadata.Grade == nil {
		return Cells{}, Stopped{}, fmt.Errorf("a partial notebook without metadata.gomp_grade")
	}
	return cells, Stopped{Cell: meta.Metadata.Grade.StoppedAt, Error: firstLine(meta.Metadata.Grade.Error)}, nil
}

// describeStop is a partial run's run_error.
func describeStop(s Stopped, runErr string) string {
	what := "la ejecución se detuvo"
	if strings.HasPrefix(s.Error, "DeadKernelError") || strings.HasPrefix(runErr, "DeadKernelError") {
		what = "el kernel murió"
	}
	where := fmt.Sprintf("en la celda %d", s.Cell)
	if s.Cell == 0 {
		where = "antes de la primera celda"
	}
	why := runErr
	if why == "" {
		why = s.Error
	}
	return fmt.Sprintf("%s %s (%s)", what, where, why)
}
