package mp

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var cgroupTargets = map[string]any{
	"cpusWhenFile": cpusWhenFile,
}

// cpusWhenFile waits until the file at path exists, then prints what it
// reads of its CPUs.
func cpusWhenFile(path string) {
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	fmt.Printf("CPUCount %d quota %g\n", CPUCount(), CgroupLimits().CPUs)
}

// writeFiles makes the files (path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The reader on files laid out as the kernel lays them out: cgroup v2,
// v1 with separate and joint controllers, a container whose group path
// is the host's, and no cgroup at all. The real files are read by the
// tests below where this machine lets a test make a cgroup.
func TestReadLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  Limits
	}{{
		name: "v2, the tightest of the group and its parents",
		files: map[string]string{
			"self":                    "0::/hub/alice\n",
			"fs/cgroup.controllers":   "cpu memory pids\n",
			"fs/hub/memory.max":       "1073741824\n",
			"fs/hub/pids.max":         "100\n",
			"fs/hub/cpu.max":          "400000 100000\n",
			"fs/hub/alice/memory.max": "max\n",
			"fs/hub/alice/pids.max":   "max\n",
			"fs/hub/alice/cpu.max":    "150000 100000\n",
		},
		want: Limits{Cgroup: "v2 /hub/alice", MemoryMax: 1 << 30, PidsMax: 100, CPUs: 1.5},
	}, {
		name: "v2 without limits",
		files: map[string]string{
			"self":                  "0::/\n",
			"fs/cgroup.controllers": "cpu memory pids\n",
			"fs/memory.max":         "max\n",
			"fs/cpu.max":            "max 100000\n",
		},
		want: Limits{Cgroup: "v2 /", MemoryMax: -1, PidsMax: -1},
	}, {
		name: "v1, joint cpu,cpuacct, a hybrid's empty v2 line",
		files: map[string]string{
			"self": "12:pids:/user/1000\n4:memory:/user/1000\n2:cpu,cpuacct:/user/1000\n0::/user/1000\n",
			"fs/memory/user/1000/memory.limit_in_bytes":  "536870912\n",
			"fs/memory/memory.limit_in_bytes":            "9223372036854771712\n",
			"fs/pids/user/1000/pids.max":                 "64\n",
			"fs/cpu,cpuacct/user/1000/cpu.cfs_quota_us":  "50000\n",
			"fs/cpu,cpuacct/user/1000/cpu.cfs_period_us": "100000\n",
			"fs/cpu,cpuacct/cpu.cfs_quota_us":            "-1\n",
			"fs/cpu,cpuacct/cpu.cfs_period_us":           "100000\n",
		},
		want: Limits{Cgroup: "v1 /user/1000", MemoryMax: 512 << 20, PidsMax: 64, CPUs: 0.5},
	}, {
		name: "v1 in a container: the host's path, the container's group at the mount",
		files: map[string]string{
			"self":                            "4:memory:/docker/0123abcd\n1:cpu:/docker/0123abcd\n",
			"fs/memory/memory.limit_in_bytes": "268435456\n",
			"fs/cpu/cpu.cfs_quota_us":         "200000\n",
			"fs/cpu/cpu.cfs_period_us":        "100000\n",
		},
		want: Limits{Cgroup: "v1 /docker/0123abcd", MemoryMax: 256 << 20, PidsMax: -1, CPUs: 2},
	}, {
		name:  "no cgroup file system",
		files: map[string]string{"self": "0::/\n"},
		want:  Limits{MemoryMax: -1, PidsMax: -1},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			os.MkdirAll(filepath.Join(dir, "fs"), 0o755)
			got := readLimits(filepath.Join(dir, "self"), filepath.Join(dir, "fs"))
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestLimitsString(t *testing.T) {
	l := Limits{Cgroup: "v2 /hub/alice", MemoryMax: 2 << 30, PidsMax: 512, CPUs: 1.5}
	if got, want := l.String(), "cgroup v2 /hub/alice: memory limit 2 GiB, pids limit 512, CPU quota 1.5 CPUs"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got := (Limits{MemoryMax: -1, PidsMax: -1}).String(); !strings.Contains(got, "no control group") {
		t.Errorf("no cgroup: %q", got)
	}
}

func TestCPUCountHonoursTheQuota(t *testing.T) {
	for _, tc := range []struct {
		cpus  int
		quota float64
		want  int
	}{{8, 0, 8}, {8, 1.5, 2}, {8, 0.2, 1}, {2, 16, 2}, {64, 4, 4}} {
		if got := cpuCount(tc.cpus, tc.quota); got != tc.want {
			t.Errorf("%d CPUs, quota %g: %d, want %d", tc.cpus, tc.quota, got, tc.want)
		}
	}
}

// cpuCgroup makes a cgroup with a CPU quota of quota/period, or skips t
// saying why it cannot; it returns the file to write a pid to.
func cpuCgroup(t *testing.T, quota, period int) string {
	t.Helper()
	name := fmt.Sprintf("gomp-mp-cpu-test-%d", os.Getpid())
	var dir string
	var files map[string]string
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		os.WriteFile("/sys/fs/cgroup/cgroup.subtree_control", []byte("+cpu"), 0o644)
		dir = filepath.Join("/sys/fs/cgroup", name)
		files = map[string]string{"cpu.max": fmt.Sprintf("%d %d", quota, period)}
	} else if _, err := os.Stat("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"); err == nil {
		dir = filepath.Join("/sys/fs/cgroup/cpu", name)
		files = map[string]string{"cpu.cfs_period_us": strconv.Itoa(period), "cpu.cfs_quota_us": strconv.Itoa(quota)}
	} else {
		t.Skip("no cgroup cpu controller under /sys/fs/cgroup; TestReadLimits covers the reading on files of its own")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup (%v): needs root and a writable cgroup hierarchy; TestReadLimits covers the reading on files of its own", err)
	}
	t.Cleanup(func() {
		for i := 0; i < 100; i++ {
			if err := os.Remove(dir); err == nil || os.IsNotExist(err) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("could not remove the test's cgroup %s", dir)
	})
	for _, name := range []string{"cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.max"} {
		if content, ok := files[name]; ok {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatalf("setting %s: %v", name, err)
			}
		}
	}
	return filepath.Join(dir, "cgroup.procs")
}

// For real: a child moved into a cgroup with half a CPU of quota reads the
// quota, and CPUCount says 1.
func TestCPUCountInACgroup(t *testing.T) {
	procs := cpuCgroup(t, 50000, 100000)
	rec, _ := inCell(t)
	start := filepath.Join(t.TempDir(), "start")
	p := NewProcess(cpusWhenFile, start)
	p.Start()
	if err := os.WriteFile(procs, []byte(strconv.Itoa(p.Pid())), 0o644); err != nil {
		p.Kill()
		p.Join()
		t.Fatalf("moving the child into the cgroup: %v", err)
	}
	os.WriteFile(start, nil, 0o600)
	p.Join()
	if got := rec.text("stdout"); got != "CPUCount 1 quota 0.5\n" {
		t.Errorf("the child in the cgroup printed %q; want CPUCount 1 quota 0.5", got)
	}
}
