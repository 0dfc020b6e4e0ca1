package mp

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"weak"

	"gomp/mp/shm"
)

var _ = func() int {
	queueTargets["getFromInner"] = getFromInner
	queueTargets["holdFromQueue"] = holdFromQueue
	queueTargets["waitThenGet"] = waitThenGet
	return 0
}()

// getFromInner gets a queue from carrier and puts what that queue gives
// into out.
func getFromInner(carrier, out *Queue) {
	inner := carrier.Get().(*Queue)
	out.Put(inner.Get())
}

// waitThenGet waits for a word on start, then puts what q gives into out.
func waitThenGet(start, q, out *Queue) {
	start.Get()
	out.Put(q.Get())
}

// holdFromQueue gets n queues from carrier, says so, and sleeps holding
// them.
func holdFromQueue(carrier, ready *Queue, n int) {
	held := make([]*Queue, n)
	for i := range held {
		held[i] = carrier.Get().(*Queue)
	}
	ready.Put("holding")
	time.Sleep(time.Hour)
	runtime.KeepAlive(held)
}

// regionUse counts the region's files and this process's mappings of them.
func regionUse(t testing.TB) (files, mappings int) {
	t.Helper()
	dir := mustRegion("test").Dir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), dir+"/") {
			mappings++
		}
	}
	return len(entries), mappings
}

// collected runs the collector until w's handle is gone and its cleanup
// has forgotten it (the cleanup released the object).
func collected[T any](t testing.TB, w weak.Pointer[T], key sharedKey) {
	t.Helper()
	for try := 0; ; try++ {
		runtime.GC()
		if w.Value() == nil && lookupShared(key) == nil {
			sharedHandles.mu.Lock()
			_, listed := sharedHandles.m[key]
			sharedHandles.mu.Unlock()
			if !listed {
				return
			}
		}
		if try == 1000 {
			t.Fatal("the handle was never collected")
		}
		time.Sleep(time.Millisecond)
	}
}

// segmentGone waits (a bounded number of looks) for ref's segment file to
// be removed, and says whether it was.
func segmentGone(ref shm.Ref) bool {
	path := filepath.Join(mustRegion("test").Dir(), "seg-"+strconv.Itoa(int(ref.Segment())))
	for range 1000 {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return true
		}
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

func segmentExists(ref shm.Ref) bool {
	_, err := os.Stat(filepath.Join(mustRegion("test").Dir(), "seg-"+strconv.Itoa(int(ref.Segment()))))
	return err == nil
}

// bounded checks, every thousand objects, that the region's files and
// mappings stay near where they started.
func bounded(t *testing.T, what string, n int, make func(i int)) {
	files0, maps0 := regionUse(t)
	const slack = 4000
	maxFiles, maxMaps := 0, 0
	for i := range n {
		make(i)
		if i%1000 == 999 {
			runtime.GC()
			files, maps := regionUse(t)
			maxFiles, maxMaps = max(maxFiles, files-files0), max(maxMaps, maps-maps0)
			if files-files0 > slack || maps-maps0 > slack {
				t.Fatalf("after %d %s: %d more files and %d more mappings than before", i+1, what, files-files0, maps-maps0)
			}
		}
	}
	t.Logf("%d %s made and dropped: at most %d more files and %d more mappings at once", n, what, maxFiles, maxMaps)
}

// 100,000 queues made, used and dropped: their files and mappings go as
// the collector finds them, and NewQueue never fails for lack of them.
func TestDroppedQueuesAreFreed(t *testing.T) {
	inCell(t)
	bounded(t, "queues", 100_000, func(i int) {
		q := NewQueue()
		q.Put(i)
		if q.Get() != i {
			t.Fatal("the queue lost its item")
		}
	})
}

// 100,000 pipes likewise, and the small objects' memory is reused: without
// it 100,000 pipe headers would not fit in it.
func TestDroppedPipesAreFreed(t *testing.T) {
	inCell(t)
	r := mustRegion("test")
	before := r.Stats().HighMark
	bounded(t, "pipes", 100_000, func(i int) {
		a, b := Pipe()
		a.Send(i)
		if b.Recv() != i {
			t.Fatal("the pipe lost its message")
		}
		if i%2 == 0 {
			a.Close()
		}
	})
	if grown := r.Stats().HighMark - before; grown > 32<<20 {
		t.Errorf("the small objects' memory grew by %d MiB for pipes dropped", grown>>20)
	}
}

// A queue whose only handle went, while it was inside an item of another
// queue, is still there for the process that gets the item.
func TestObjectInTransitOutlivesItsSender(t *testing.T) {
	rec, _ := inCell(t)
	carrier, out := NewQueue(), NewQueue()
	var (
		w   weak.Pointer[Queue]
		ref shm.Ref
	)
	func() {
		q := NewQueue()
		q.Put("inside")
		carrier.Put(q)
		w, ref = weak.Make(q), q.ref
	}()
	collected(t, w, sharedKey{kindQueue, ref})
	if !segmentExists(ref) {
		t.Fatal("a queue carried by an item was freed")
	}
	p := joined(t, NewProcess(getFromInner, carrier, out))
	if p.ExitCode() != 0 {
		t.Fatalf("exit %v: %s", p.ExitCode(), rec.text("stderr"))
	}
	if got := out.Get(); got != "inside" {
		t.Fatalf("the child got %v", got)
	}
	// Received and dropped by the child, and by nobody else held: freed.
	if !segmentGone(ref) {
		t.Error("the queue was not freed after its last holder ended")
	}
}

// A queue sent to a child as an argument stays usable there after the
// parent dropped every reference of its own, and is freed once the child
// ended.
func TestObjectSentToChildOutlivesTheParentsHandle(t *testing.T) {
	rec, _ := inCell(t)
	out, start := NewQueue(), NewQueue()
	var (
		p   *Process
		w   weak.Pointer[Queue]
		ref shm.Ref
	)
	func() {
		q := NewQueue()
		q.Put("for the child")
		p = NewProcess(waitThenGet, start, q, out)
		p.Start()
		w, ref = weak.Make(q), q.ref
	}()
	p.Args = nil // the parent's own last reference
	for range 5 {
		runtime.GC()
	}
	start.Put("go")
	p.Join()
	if p.ExitCode() != 0 {
		t.Fatalf("exit %v: %s", p.ExitCode(), rec.text("stderr"))
	}
	if got := out.Get(); got != "for the child" {
		t.Fatalf("the child got %v", got)
	}
	collected(t, w, sharedKey{kindQueue, ref})
	if !segmentGone(ref) {
		t.Error("the queue was not freed once the child ended and the parent dropped it")
	}
}

// A holder killed with SIGKILL does not keep what it held: the queue it
// held and the parent dropped before the kill is freed when the child is
// reaped, and the one dropped after the kill when the parent lets go.
func TestKilledHolderDoesNotKeepObjects(t *testing.T) {
	rec, _ := inCell(t)
	carrier, ready := NewQueue(), NewQueue()
	var (
		before, after weak.Pointer[Queue]
		refs          [2]shm.Ref
	)
	keep := func() *Queue {
		q1, q2 := NewQueue(), NewQueue()
		carrier.Put(q1)
		carrier.Put(q2)
		before, after, refs = weak.Make(q1), weak.Make(q2), [2]shm.Ref{q1.ref, q2.ref}
		return q2 // the parent holds it until after the kill
	}()
	p := NewProcess(holdFromQueue, carrier, ready, 2)
	p.Start()
	if got, err := ready.GetTimeout(time.Minute); err != nil || got != "holding" {
		p.Kill()
		p.Join()
		t.Fatalf("the child said %v, %v: %s", got, err, rec.text("stderr"))
	}
	collected(t, before, sharedKey{kindQueue, refs[0]})
	if !segmentExists(refs[0]) {
		t.Fatal("a queue the child holds was freed")
	}
	p.Kill()
	p.Join()
	if !segmentGone(refs[0]) {
		t.Error("the queue held by the killed child alone was not freed")
	}
	if !segmentExists(refs[1]) {
		t.Fatal("a queue the parent holds was freed")
	}
	runtime.KeepAlive(keep)
	keep = nil
	collected(t, after, sharedKey{kindQueue, refs[1]})
	if !segmentGone(refs[1]) {
		t.Error("the queue held by the killed child and dropped by the parent was not freed")
	}
}

// A pipe end that no variable refers to any more is let go of, as Python's
// connections close when collected: the other end gets EOF.
func TestCollectedEndLetsGo(t *testing.T) {
	inCell(t)
	here, w, ref := func() (*Conn, weak.Pointer[Conn], shm.Ref) {
		a, b := Pipe()
		b.Send("last words")
		return a, weak.Make(b), b.ref | connEndBit
	}()
	collected(t, w, sharedKey{kindConn, ref})
	if got, err := recvWithin(t, here); err != nil || got != "last words" {
		t.Fatalf("first Recv: %v, %v", got, err)
	}
	if _, err := recvWithin(t, here); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the other end was collected: %v, want EOF", err)
	}
}

// Locks, semaphores and events dropped in a loop give their small blocks
// back: 100,000 of each would otherwise take more than the 64 MiB.
func TestDroppedSyncObjectsAreFreed(t *testing.T) {
	inCell(t)
	r := mustRegion("test")
	before := r.Stats().HighMark
	for i := range 100_000 {
		l, rl, s, e := NewLock(), NewRLock(), NewBoundedSemaphore(2), NewEvent()
		l.Lock()
		rl.Lock()
		s.Acquire()
		e.Set()
		l.Unlock()
		rl.Unlock()
		s.Release()
		if !e.IsSet() {
			t.Fatal("the event lost its flag")
		}
		if i%1000 == 999 {
			runtime.GC()
		}
	}
	if grown := r.Stats().HighMark - before; grown > 16<<20 {
		t.Errorf("the small objects' memory grew by %d MiB for objects dropped", grown>>20)
	}
	// A Value's lock is the Value's own object: the Value keeps it.
	v := NewValue(1)
	runtime.GC()
	v.GetLock().Lock()
	v.Set(2)
	v.GetLock().Unlock()
	if v.Get() != 2 {
		t.Error("the value lost its number")
	}
}
