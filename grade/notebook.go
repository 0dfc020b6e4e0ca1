package grade

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// CellError is an error output of an executed code cell.
type CellError struct {
	Cell           int    // the cell's position in the notebook, from 1, counting every cell
	ExecutionCount int    // its In [n]; 0 if it has none
	Name           string // ename: "panic", "CompileError", "Exit", "Interrupted"...
	Message        string // the first line of evalue
	// Expected is set for a cell tagged raises-exception: nbclient lets it
	// fail, and so does the grade.
	Expected bool
}

// Cells is what an executed notebook says about its code cells.
type Cells struct {
	Code     int         // code cells
	Executed int         // code cells that have an execution count
	Errors   []CellError // the first error output of each cell that has one, in order
}

// Failures are the errors that were not expected.
func (c Cells) Failures() []CellError {
	var fs []CellError
	for _, e := range c.Errors {
		if !e.Expected {
			fs = append(fs, e)
		}
	}
	return fs
}

// notebookJSON is the part of nbformat 4 that grading reads.
type notebookJSON struct {
	NBFormat int `json:"nbformat"`
	Cells    []struct {
		CellType       string `json:"cell_type"`
		ExecutionCount *int   `json:"execution_count"`
		Metadata       struct {
			Tags []string `json:"tags"`
		} `json:"metadata"`
		Outputs []struct {
			OutputType string `json:"output_type"`
			Ename      string `json:"ename"`
			Evalue     string `json:"evalue"`
		} `json:"outputs"`
	} `json:"cells"`
}

type jsonSyntaxError = json.SyntaxError

// Metadata is what grading reads from a notebook's metadata.
type Metadata struct {
	Lang           string // the natural language of its text: "es"; gomp's timelines use it
	KernelName     string // the kernelspec it names: "gomp", "python3"
	KernelLanguage string // that kernel's language: "go", "python"
}

// ReadMetadata reads a notebook's metadata; a notebook without any has
// none, which is no error.
func ReadMetadata(data []byte) (Metadata, error) {
	var nb struct {
		Metadata struct {
			Lang       string `json:"lang"`
			Kernelspec struct {
				Name     string `json:"name"`
				Language string `json:"language"`
			} `json:"kernelspec"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		return Metadata{}, fmt.Errorf("invalid notebook JSON: %w", err)
	}
	m := nb.Metadata
	return Metadata{Lang: m.Lang, KernelName: m.Kernelspec.Name, KernelLanguage: m.Kernelspec.Language}, nil
}

// errNotNotebook is ReadCells' error for JSON that is not an nbformat 4
// notebook.
var errNotNotebook = errors.New("not an nbformat 4 notebook (no cells list)")

// ReadCells reads a notebook (nbformat 4, as nbconvert writes it) and
// reports its code cells: how many, how many were executed, and their
// errors.
func ReadCells(data []byte) (Cells, error) {
	var nb notebookJSON
	if err := json.Unmarshal(data, &nb); err != nil {
		return Cells{}, fmt.Errorf("invalid notebook JSON: %w", err)
	}
	if nb.Cells == nil {
		return Cells{}, errNotNotebook
	}
	var c Cells
	for i, cell := range nb.Cells {
		if cell.CellType != "code" {
			continue
		}
		c.Code++
		count := 0
		if cell.ExecutionCount != nil {
			c.Executed++
			count = *cell.ExecutionCount
		}
		for _, o := range cell.Outputs {
			if o.OutputType != "error" {
				continue
			}
			c.Errors = append(c.Errors, CellError{
				Cell:           i + 1,
				ExecutionCount: count,
				Name:           o.Ename,
				Message:        firstLine(o.Evalue),
				Expected:       hasTag(cell.Metadata.Tags, "raises-exception"),
			})
			break // a cell fails once; a second error output adds nothing
		}
	}
	return c, nil
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

// firstLine is s up to its first line break, shortened to a length that
// fits a spreadsheet cell.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	const maxLen = 300
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen-1]) + "…"
	}
	return s
}
