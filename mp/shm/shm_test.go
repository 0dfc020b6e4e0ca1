package shm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// The test binary doubles as the other process of cross-process tests: with
// GOMP_SHM_CHILD set it runs one of the children below and exits.
func TestMain(m *testing.M) {
	if mode := os.Getenv("GOMP_SHM_CHILD"); mode != "" {
		os.Exit(runChild(mode, os.Getenv("GOMP_SHM_DIR"), os.Getenv("GOMP_SHM_REF")))
	}
	os.Exit(m.Run())
}

func runChild(mode, dir, refText string) int {
	r, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	n, _ := strconv.ParseUint(refText, 10, 64)
	w, err := r.Word(Ref(n))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	m := MutexAt(w)
	switch mode {
	case "increment":
		counter := (*uint64)(unsafeAdd(w, 8))
		for range increments {
			if _, err := m.Lock(context.Background(), time.Time{}); err != nil {
				return 3
			}
			*counter++ // plain: the mutex must be what makes it exact
			m.Unlock()
		}
	case "hold-and-exit": // dies holding the object: its slot must be reaped
		if _, err := r.Hold(Ref(n)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 5
		}
		return 0
	case "hold-and-sleep": // holds the object until killed
		if _, err := r.Hold(Ref(n)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 5
		}
		fmt.Println("held")
		time.Sleep(time.Hour)
	case "die-holding":
		if !m.TryLock() {
			return 4
		}
		return 0 // exit with the mutex held
	}
	return 0
}

const increments = 20000

// child starts the test binary as another process of the region.
func child(t *testing.T, r *Region, ref Ref, mode string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GOMP_SHM_CHILD="+mode, "GOMP_SHM_DIR="+r.Dir(),
		"GOMP_SHM_REF="+strconv.FormatUint(uint64(ref), 10))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func newRegion(t *testing.T) *Region {
	t.Helper()
	r, err := Create()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); r.Remove() })
	return r
}

func TestAllocIsSharedAndAligned(t *testing.T) {
	r := newRegion(t)
	a, err := r.Alloc(10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Alloc(100)
	if err != nil {
		t.Fatal(err)
	}
	if a.Offset()%64 != 0 || b.Offset()%64 != 0 || b.Offset() < a.Offset()+10 {
		t.Fatalf("refs %#x %#x: want 64-byte aligned and apart", a, b)
	}
	other, err := Open(r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mine, _ := r.Bytes(b, 100)
	theirs, _ := other.Bytes(b, 100)
	mine[99] = 7
	if theirs[99] != 7 {
		t.Fatal("a second mapping does not see the first one's write")
	}
	big, err := r.Alloc(2 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if big.Segment() == 0 {
		t.Fatalf("a 2 MiB object went to seg-0")
	}
	if size, _ := other.SegmentSize(big); size != 2<<20 {
		t.Fatalf("own segment of %d bytes, want %d", size, 2<<20)
	}
}

func TestOpenRefusesWhatIsNotARegion(t *testing.T) {
	dir := t.TempDir()
	if err := makeSegmentFile(dir, 0, 4096); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("Open of a zeroed segment succeeded")
	}
	if _, err := Open(dir + "/missing"); err == nil {
		t.Fatal("Open of a missing directory succeeded")
	}
}

func TestMutexIsExactAcrossProcesses(t *testing.T) {
	r := newRegion(t)
	ref, _ := r.Alloc(16)
	w, _ := r.Word(ref)
	m := MutexAt(w)
	counter := (*uint64)(unsafeAdd(w, 8))
	c1, c2 := child(t, r, ref, "increment"), child(t, r, ref, "increment")
	for range increments {
		if _, err := m.Lock(context.Background(), time.Time{}); err != nil {
			t.Fatal(err)
		}
		*counter++
		m.Unlock()
	}
	if err := c1.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c2.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := atomic.LoadUint64(counter); got != 3*increments {
		t.Fatalf("counter %d, want %d", got, 3*increments)
	}
}

func TestMutexOfADeadHolderIsTakenOver(t *testing.T) {
	r := newRegion(t)
	ref, _ := r.Alloc(16)
	w, _ := r.Word(ref)
	c := child(t, r, ref, "die-holding")
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	m := MutexAt(w)
	if m.Holder() != c.Process.Pid {
		t.Fatalf("holder %d, want the dead child %d", m.Holder(), c.Process.Pid)
	}
	recovered, err := m.Lock(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if recovered != c.Process.Pid {
		t.Fatalf("recovered from %d, want %d", recovered, c.Process.Pid)
	}
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := m.Unlock(); !errors.Is(err, ErrNotLocked) {
		t.Fatalf("second Unlock: %v, want ErrNotLocked", err)
	}
}

func TestMutexWaitEndsOnDeadlineAndCancel(t *testing.T) {
	r := newRegion(t)
	ref, _ := r.Alloc(4)
	w, _ := r.Word(ref)
	m := MutexAt(w)
	if !m.TryLock() {
		t.Fatal("TryLock of a free mutex failed")
	}
	if _, err := m.Lock(context.Background(), time.Now().Add(10*time.Millisecond)); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Lock with a deadline: %v, want ErrTimeout", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := m.Lock(ctx, time.Time{}); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock when cancelled: %v", err)
	}
}

func TestRemoveStaleRegions(t *testing.T) {
	parent := t.TempDir()
	// A pid that cannot exist (above pid_max's ceiling).
	stale := parent + "/" + DirPrefix + "99999999-x"
	live := parent + "/" + DirPrefix + strconv.Itoa(os.Getpid()) + "-y"
	for _, d := range []string{stale, live} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	RemoveStaleDirs(parent, DirPrefix)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("a dead kernel's region was kept")
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatal("a live kernel's region was removed")
	}
}
