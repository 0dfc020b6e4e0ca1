package mp

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Limits are the resource limits of this process's control group, which
// the system enforces on the kernel and every process it starts together:
// on a JupyterHub, a student's server and all that runs under it. A limit
// the group does not set (nor any group above it) is -1 (memory, pids) or
// 0 (CPUs).
type Limits struct {
	Cgroup    string  // "v2 /user.slice/...", "v1 /...", or "" where none was found
	MemoryMax int64   // bytes (memory.max; v1 memory.limit_in_bytes)
	PidsMax   int64   // processes and threads (pids.max)
	CPUs      float64 // CPU time per second of wall time (cpu.max; v1 cpu.cfs_quota_us / cpu.cfs_period_us)
}

// CgroupLimits reads this process's limits from /proc/self/cgroup and the
// files of its control group under /sys/fs/cgroup (cgroup v2, or the v1
// controllers' own hierarchies), taking for each the tightest of its group
// and the groups above it.
func CgroupLimits() Limits { return readLimits("/proc/self/cgroup", "/sys/fs/cgroup") }

// String says the limits in one line, for the kernel's log.
func (l Limits) String() string {
	if l.Cgroup == "" {
		return "no control group found: no memory, pids or CPU limit known"
	}
	mem, pids, cpus := "none", "none", "none"
	if l.MemoryMax >= 0 {
		mem = formatBytes(l.MemoryMax)
	}
	if l.PidsMax >= 0 {
		pids = strconv.FormatInt(l.PidsMax, 10)
	}
	if l.CPUs > 0 {
		cpus = strconv.FormatFloat(l.CPUs, 'g', 4, 64) + " CPUs"
	}
	return fmt.Sprintf("cgroup %s: memory limit %s, pids limit %s, CPU quota %s", l.Cgroup, mem, pids, cpus)
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// readLimits is CgroupLimits on a given /proc/self/cgroup and cgroup
// mount (tests give it files of their own).
func readLimits(selfCgroup, root string) Limits {
	l := Limits{MemoryMax: -1, PidsMax: -1}
	data, err := os.ReadFile(selfCgroup)
	if err != nil {
		return l
	}
	paths := map[string]string{} // controller ("" for v2) → group path
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		// hierarchy-ID:controller-list:path
		fields := strings.SplitN(sc.Text(), ":", 3)
		if len(fields) != 3 {
			continue
		}
		if fields[1] == "" {
			paths[""] = fields[2]
			continue
		}
		for _, c := range strings.Split(fields[1], ",") {
			paths[c] = fields[2]
		}
	}
	// Pure v2: one hierarchy at root, which lists its controllers. On a
	// hybrid system the v2 hierarchy (often at root/unified) has none of
	// the resource controllers, and the v1 ones hold the limits.
	if p, ok := paths[""]; ok {
		if _, err := os.Stat(filepath.Join(root, "cgroup.controllers")); err == nil {
			l.Cgroup = "v2 " + p
			walkUp(root, p, func(dir string) {
				l.MemoryMax = tighter(l.MemoryMax, readLimit(filepath.Join(dir, "memory.max")))
				l.PidsMax = tighter(l.PidsMax, readLimit(filepath.Join(dir, "pids.max")))
				l.CPUs = fewer(l.CPUs, readCPUMax(filepath.Join(dir, "cpu.max")))
			})
			return l
		}
	}
	found := false
	v1 := func(controller, mount string, read func(dir string)) {
		p, ok := paths[controller]
		if !ok {
			return
		}
		base := v1Mount(root, controller, mount)
		if base == "" {
			return
		}
		found = true
		if l.Cgroup == "" {
			l.Cgroup = "v1 " + p
		}
		// In a container the group's path may be the host's, while the
		// mount shows the container's own group as its root.
		if _, err := os.Stat(filepath.Join(base, p)); err != nil {
			p = "/"
		}
		walkUp(base, p, read)
	}
	v1("memory", "memory", func(dir string) {
		l.MemoryMax = tighter(l.MemoryMax, readLimit(filepath.Join(dir, "memory.limit_in_bytes")))
	})
	v1("pids", "pids", func(dir string) {
		l.PidsMax = tighter(l.PidsMax, readLimit(filepath.Join(dir, "pids.max")))
	})
	v1("cpu", "cpu,cpuacct", func(dir string) {
		quota := readLimit(filepath.Join(dir, "cpu.cfs_quota_us"))
		period := readLimit(filepath.Join(dir, "cpu.cfs_period_us"))
		if quota > 0 && period > 0 {
			l.CPUs = fewer(l.CPUs, float64(quota)/float64(period))
		}
	})
	if !found {
		l.Cgroup = ""
	}
	return l
}

// v1Mount is where a v1 controller's hierarchy is mounted under root:
// root/controller, or the joint mount (cpu,cpuacct) some systems have.
func v1Mount(root, controller, joint string) string {
	for _, name := range []string{controller, joint} {
		if info, err := os.Stat(filepath.Join(root, name)); err == nil && info.IsDir() {
			return filepath.Join(root, name)
		}
	}
	return ""
}

// walkUp calls read for the group p under base and for each group above
// it, up to base itself.
func walkUp(base, p string, read func(dir string)) {
	p = path.Clean("/" + p)
	for {
		read(filepath.Join(base, p))
		if p == "/" {
			return
		}
		p = path.Dir(p)
	}
}

// readLimit reads a limit file: a number, or "max" (none: -1). A missing
// file, or v1's "no limit" (a huge number near 2^63), is -1 too.
func readLimit(file string) int64 {
	data, err := os.ReadFile(file)
	if err != nil {
		return -1
	}
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return -1
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n >= 1<<62 {
		return -1
	}
	return n
}

// readCPUMax reads a v2 cpu.max ("QUOTA PERIOD", QUOTA "max" for none) as
// CPUs; 0 for none.
func readCPUMax(file string) float64 {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) != 2 || f[0] == "max" {
		return 0
	}
	quota, err1 := strconv.ParseFloat(f[0], 64)
	period, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || quota <= 0 || period <= 0 {
		return 0
	}
	return quota / period
}

// tighter is the smaller of two limits where -1 is none.
func tighter(a, b int64) int64 {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	}
	return min(a, b)
}

// fewer is the smaller of two CPU quotas where 0 is none.
func fewer(a, b float64) float64 {
	switch {
	case a <= 0:
		return b
	case b <= 0:
		return a
	}
	return math.Min(a, b)
}

// CPUCount is the number of CPUs this process can use: the CPUs it may
// run on (its affinity, as Python's os.process_cpu_count), and no more
// than its control group's CPU quota, rounded up. Python's cpu_count and
// process_cpu_count ignore the quota, so on a hub that gives each
// student 2 CPUs of a 64-CPU machine they say 64, and a Pool of that
// many workers only queues for the 2; here mp.NewPool(0) starts 2.
func CPUCount() int { return cpuCount(runtime.NumCPU(), CgroupLimits().CPUs) }

func cpuCount(cpus int, quota float64) int {
	if quota > 0 {
		cpus = min(cpus, int(math.Ceil(quota)))
	}
	return max(cpus, 1)
}
