package mp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutputIsForwardedCompleteAndInOrder(t *testing.T) {
	rec, _ := inCell(t)
	const n = 5000 // a few hundred KiB: many reads, past the pipe's buffer
	joined(t, NewProcess(printMany, n))
	for _, stream := range []string{"stdout", "stderr"} {
		prefix := map[string]string{"stdout": "out", "stderr": "err"}[stream]
		var want strings.Builder
		for i := range n {
			fmt.Fprintf(&want, "%s %d\n", prefix, i)
		}
		if got := rec.text(stream); got != want.String() {
			t.Errorf("%s: got %d bytes, want %d (lost, duplicated or reordered output)", stream, len(got), want.Len())
		}
	}
}

func TestHalfLineIsNotHeldBack(t *testing.T) {
	rec, _ := inCell(t)
	p := NewProcess(halfLine)
	p.Start()
	rec.waitFor(t, "stdout", "partial") // while the child still runs
	p.Terminate()
	p.Join()
	if got := rec.text("stdout"); got != "partial" {
		t.Errorf("stdout %q", got)
	}
}

func TestCharacterSplitAcrossWritesArrivesWhole(t *testing.T) {
	rec, _ := inCell(t)
	joined(t, NewProcess(splitRune))
	if got := rec.text("stdout"); got != "café\n" {
		t.Errorf("stdout %q", got)
	}
}

// The output of a child goes to the cell that started it, also when it
// prints after another cell has begun (and Join from that other cell
// waits for it).
func TestOutputStaysWithTheStartingCell(t *testing.T) {
	first, _ := inCell(t)
	flag := filepath.Join(t.TempDir(), "go")
	p := NewProcess(printWhenFile, flag)
	p.Start()
	second, _ := inCell(t)
	if err := os.WriteFile(flag, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p.Join()
	if got := first.text("stdout"); got != "late line\n" {
		t.Errorf("the starting cell got %q", got)
	}
	if got := second.text("stdout"); got != "" {
		t.Errorf("the joining cell got %q", got)
	}
}

func TestGrandchildOutputReachesTheCell(t *testing.T) {
	rec, _ := inCell(t)
	p := joined(t, NewProcess(nested))
	if got := rec.text("stdout"); !strings.Contains(got, "hello from "+p.Name+":1 ") {
		t.Errorf("stdout %q", got)
	}
}
