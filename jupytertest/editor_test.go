package jupytertest

import (
	"testing"
	"time"
)

// Completion, inspection and is_complete as an editor uses them: matches
// applied at cursor_start..cursor_end give the completed code, positions
// count code points (editor.py).
func TestEditor(t *testing.T) {
	needJupyter(t)
	runProblems(t, 2*time.Minute, nil, "editor.py")
}
