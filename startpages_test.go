package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// For real, on this test binary: releasing its start-up pages lowers its
// resident file pages, and the process goes on running code and collecting
// garbage (the pages come back from the file as they are touched).
func TestReleaseStartupPages(t *testing.T) {
	before := rssFile(t)
	released := releaseStartupPages()
	after := rssFile(t)
	if released <= 0 {
		t.Fatalf("released %d bytes", released)
	}
	if after >= before {
		t.Errorf("resident file pages %d kB before, %d kB after releasing %d MiB", before, after, released>>20)
	}
	runtime.GC()
	if got := fmt.Sprintf("%v %s", []int{1, 2}, strconv.Quote("é")); got != `[1 2] "é"` {
		t.Errorf("after the release: %s", got)
	}
}

// rssFile is the process's RssFile, in kB.
func rssFile(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "RssFile:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
