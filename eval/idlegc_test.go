package eval

import (
	"runtime"
	"testing"
	"time"
)

// After a cell that made and dropped a large heap, an idle session gives
// the memory back to the system.
func TestIdleSessionReturnsFreedMemory(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "var keep [][]byte\nfor range 64 { keep = append(keep, make([]byte, 1<<20)) }\nkeep = nil")
	var m runtime.MemStats
	for deadline := time.Now().Add(30 * time.Second); ; {
		runtime.ReadMemStats(&m)
		if m.HeapReleased >= 32<<20 {
			break // the 64 MiB the cell dropped are released
		}
		if time.Now().After(deadline) {
			t.Fatalf("HeapReleased %d MiB after the cell, want at least 32", m.HeapReleased>>20)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
