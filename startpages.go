package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// releaseStartupPages gives back to the system the resident pages of the
// gomp binary's code and read-only data, and returns how many bytes of
// mappings it released. Every package of the binary initialises in every
// gomp process, the interpreter's symbol tables included, and that touches
// most of the binary's read-only data: the kernel process never uses those
// pages again, the session only the few that its cells reach. The pages
// stay in the page cache (the kernel and session map one binary), and
// those still in use come back at their next touch, a minor fault
// (bench/README.md has what it saves).
//
// Only mappings of the executable that are read-only and hold no page of
// the process's own (no anonymous page: a copy written to, as a dynamic
// loader's relocated, then write-protected, data is) are released: for
// those, dropping a page loses nothing the file and the page cache do not
// have.
func releaseStartupPages() (released int64) {
	exe, err := os.Executable()
	if err != nil {
		return 0
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0
	}
	defer f.Close()
	type mapping struct {
		start, end uint64
		ours       bool // of the executable, read-only
		own        bool // has anonymous pages
	}
	var ms []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && len(fields) >= 5 {
			// A mapping's header: start-end perms offset dev inode [path]
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				ours := len(fields) >= 6 && fields[5] == exe && !strings.Contains(fields[1], "w")
				ms = append(ms, mapping{start: start, end: end, ours: ours})
				continue
			}
		}
		if len(ms) == 0 || len(fields) < 2 {
			continue
		}
		if fields[0] == "Anonymous:" && fields[1] != "0" {
			ms[len(ms)-1].own = true
		}
	}
	if sc.Err() != nil {
		return 0
	}
	for _, m := range ms {
		if !m.ours || m.own || m.end <= m.start {
			continue
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(m.start), uintptr(m.end-m.start), syscall.MADV_DONTNEED); errno == 0 {
			released += int64(m.end - m.start)
		}
	}
	return released
}
