package jupytertest

import (
	"testing"
	"time"
)

// What a cell prints, displays and panics with reaches a real client in
// the order the cell made it, however the session gathers it into frames;
// a goroutine's output stays under the cell that started it, a child's
// comes between its parent's prints, a flood ends with its notice, and a
// printing loop is interrupted (outputorder.py).
func TestOutputOrder(t *testing.T) {
	needJupyter(t)
	res := runProblems(t, 10*time.Minute, nil, "outputorder.py")
	t.Logf("2,000,000 prints: %v s; interrupt of a printing loop: %v s, of one alternating stdout and stderr: %v s",
		res["flood_seconds"], res["interrupt_seconds"], res["interrupt_alternating_seconds"])
}
