package jupytertest

import (
	"testing"
	"time"
)

// A cell printing 200 MB through a real client ends, the client gets a
// bounded part of it and one notice with the count dropped, the cell's
// panic and reply are not lost, and the next cell's output is whole
// (outputlimit.py).
func TestOutputFloodIsBounded(t *testing.T) {
	needJupyter(t)
	res := runProblems(t, 10*time.Minute, nil, "outputlimit.py")
	t.Logf("received %.0f bytes, dropped %.0f, in %v s", res["received"], res["dropped"], res["seconds"])
}
