package shm

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// A small object is freed when its last handle is released, and its block
// is reused, with a new generation, by the next object of its class.
func TestReleaseFreesAndTheBlockIsReused(t *testing.T) {
	r := newRegion(t)
	a, err := r.Alloc(100)
	if err != nil {
		t.Fatal(err)
	}
	id1, _ := r.Hold(a)
	id2, _ := r.Hold(a)
	if r.Release(id1) {
		t.Fatal("freed with a handle left")
	}
	if !r.Release(id2) {
		t.Fatal("not freed after its last handle")
	}
	if _, err := r.Hold(a); err == nil {
		t.Fatal("Hold of a freed object succeeded")
	}
	b, err := r.Alloc(90) // the same class
	if err != nil {
		t.Fatal(err)
	}
	if b != a {
		t.Fatalf("the freed block was not reused: %#x then %#x", a, b)
	}
	mem, _ := r.Bytes(b, 90)
	for _, c := range mem {
		if c != 0 {
			t.Fatal("a reused block is not zeroed")
		}
	}
	// A stale name of the first object frees nothing of the second.
	if r.Sweep([]Life{id1}) != nil || !r.Release(id1) {
		t.Fatal("a stale life was taken for the new object's")
	}
	idB, _ := r.Hold(b)
	if len(r.Sweep([]Life{idB})) != 1 {
		t.Fatal("Sweep freed an object this process holds")
	}
}

// A segment object is freed with its file, and its parts with it; a
// message in transit keeps it.
func TestSegmentObjectsAndParts(t *testing.T) {
	r := newRegion(t)
	obj, err := r.Alloc(64)
	if err != nil {
		t.Fatal(err)
	}
	part, err := NewRing(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SetParts(obj, part); err != nil {
		t.Fatal(err)
	}
	path := segmentPath(r.Dir(), part.Segment())
	id, _ := r.Hold(obj)
	r.Transit(obj, 1)
	if r.Release(id) {
		t.Fatal("freed while a message carries it")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal("the part's segment went while the object lives")
	}
	r.Transit(obj, -1) // received: nobody holds it
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the part's segment is still there: %v", err)
	}
	if r.Stats().Mapped != 1 {
		t.Fatalf("%d segments mapped, want seg-0 only", r.Stats().Mapped)
	}
}

// A process that died holding an object does not keep it: the others'
// Release clears its slot, and so does a Sweep by a process that released
// it while the other one was still alive.
func TestDeadHolderIsReaped(t *testing.T) {
	r := newRegion(t)
	gone := func(q Ref) bool {
		_, err := os.Stat(segmentPath(r.Dir(), q.Segment()))
		return os.IsNotExist(err)
	}

	q, _ := NewRing(r, 0)
	id, _ := r.Hold(q)
	if err := child(t, r, q, "hold-and-exit").Wait(); err != nil {
		t.Fatal(err)
	}
	if !r.Release(id) || !gone(q) {
		t.Fatal("the dead child's slot kept the object")
	}

	q, _ = NewRing(r, 0)
	id, _ = r.Hold(q)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GOMP_SHM_CHILD=hold-and-sleep", "GOMP_SHM_DIR="+r.Dir(),
		"GOMP_SHM_REF="+strconv.FormatUint(uint64(q), 10))
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "held\n" {
		t.Fatalf("the child said %q, %v", line, err)
	}
	if r.Release(id) || gone(q) {
		t.Fatal("freed while the child holds it")
	}
	if kept := r.Sweep([]Life{id}); len(kept) != 1 {
		t.Fatal("swept while the child lives")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if kept := r.Sweep([]Life{id}); len(kept) != 0 || !gone(q) {
		t.Fatal("the sweep after the child's death did not free it")
	}
}
