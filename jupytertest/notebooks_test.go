package jupytertest

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every notebook in notebooks/ executes under `jupyter nbconvert --execute`
// as a grader runs it: without --allow-errors, so a cell that fails must be
// one tagged raises-exception.
func TestNotebooks(t *testing.T) {
	needJupyter(t)
	var notebooks []string
	err := filepath.WalkDir(filepath.Join("..", "notebooks"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".ipynb_checkpoints" {
			return filepath.SkipDir
		}
		// The setup notebook is Python and installs a kernel:
		// TestColabSetup runs it, in a home of its own.
		if !d.IsDir() && strings.HasSuffix(path, ".ipynb") && d.Name() != colabSetup {
			notebooks = append(notebooks, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(notebooks) == 0 {
		t.Skip("no notebooks in notebooks/")
	}
	for _, nb := range notebooks {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(nb), "../notebooks/"), ".ipynb")
		t.Run(name, func(t *testing.T) {
			_, stderr, err := runCmd(t, 10*time.Minute, nil, python, "-m", "nbconvert",
				"--to", "notebook", "--execute", "--output-dir", t.TempDir(),
				"--ExecutePreprocessor.timeout=120", nb)
			if err != nil {
				t.Errorf("nbconvert --execute %s: %v\n%s", nb, err, stderr)
			}
		})
	}
}
