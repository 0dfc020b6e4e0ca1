package mp

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// newTestPool makes a pool the test terminates at its end.
func newTestPool(t *testing.T, n int, opts ...PoolOption) *Pool {
	t.Helper()
	p := NewPool(n, opts...)
	t.Cleanup(p.Terminate)
	return p
}

func TestPoolMapReturnsTypedResultsInOrder(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	got := p.Map(square, []int{1, 2, 3})
	if s := fmt.Sprint(got); s != "[1 4 9]" {
		t.Errorf("Map printed %s, want [1 4 9]", s)
	}
	if _, ok := got.([]int); !ok {
		t.Errorf("Map returned a %T, want []int", got)
	}
	// Many items, several chunk sizes, an array, and no items.
	nums := make([]int, 1000)
	for i := range nums {
		nums[i] = i
	}
	for _, size := range []int{0, 1, 7, 5000} {
		sq := p.Map(square, nums, Chunksize(size)).([]int)
		for i, v := range sq {
			if v != i*i {
				t.Fatalf("chunksize %d: item %d = %d", size, i, v)
			}
		}
	}
	if got := p.Map(square, [3]int{4, 5, 6}); fmt.Sprint(got) != "[16 25 36]" {
		t.Errorf("Map of an array = %v", got)
	}
	if got := p.Map(square, []int{}).([]int); len(got) != 0 {
		t.Errorf("Map of no items = %v", got)
	}
	// Values of the notebook's types come back as such.
	pts := p.Map(makePoint, []int{1, 2}).([]point)
	if pts[1] != (point{2, -2}) {
		t.Errorf("points = %v", pts)
	}
	// A function without results gives nils.
	if got := p.Map(nothing, []int{1, 2}); fmt.Sprint(got) != "[<nil> <nil>]" {
		t.Errorf("Map of a func without results = %v", got)
	}
}

func TestPoolStarmapApplyAndAsync(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	if got := p.Starmap(add, [][]int{{1, 2}, {3, 4}}); fmt.Sprint(got) != "[3 7]" {
		t.Errorf("Starmap = %v", got)
	}
	if got := p.Starmap(add, [][]any{{1, 2}, {30, 40}}); fmt.Sprint(got) != "[3 70]" {
		t.Errorf("Starmap of [][]any = %v", got)
	}
	if got := p.Apply(add, 20, 22); got != 42 {
		t.Errorf("Apply = %v (%T)", got, got)
	}
	r := p.ApplyAsync(square, 7)
	r.Wait()
	if !r.Ready() || !r.Successful() || r.Err() != nil || r.Get() != 49 || r.Get(time.Minute) != 49 {
		t.Errorf("ApplyAsync: ready %v get %v", r.Ready(), r.Get())
	}
	m := p.MapAsync(square, []int{2, 3})
	if got := m.Get(); fmt.Sprint(got) != "[4 9]" {
		t.Errorf("MapAsync.Get = %v", got)
	}
	// Many ApplyAsync at once: each gets its own result.
	var rs []*AsyncResult
	for i := range 200 {
		rs = append(rs, p.ApplyAsync(square, i))
	}
	for i, r := range rs {
		if got := r.Get(); got != i*i {
			t.Fatalf("ApplyAsync(square, %d).Get() = %v", i, got)
		}
	}
	// Both workers take part: each task waits until two have started.
	who := map[string]bool{}
	dir := t.TempDir()
	for _, w := range p.Map(meetAt, []string{dir, dir}, Chunksize(1)).([]string) {
		who[w] = true
	}
	if len(who) != 2 {
		t.Errorf("tasks ran in %d workers, want 2: %v", len(who), who)
	}
	for w := range who {
		if !strings.HasPrefix(w, "SpawnPoolWorker-") {
			t.Errorf("worker named %q", w)
		}
	}
}

func TestPoolTaskPanicRepanicsInTheCaller(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	msg := mustPanic(t, func() { p.Map(failOnThree, []int{1, 2, 3, 4}) })
	for _, want := range []string{"three is bad", "in test target failOnThree", "SpawnPoolWorker-"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the panic lacks %q: %s", want, msg)
		}
	}
	r := p.MapAsync(failOnThree, []int{1, 3})
	var te *TaskError
	if err := r.Err(); !errors.As(err, &te) || te.Err != nil || !strings.Contains(te.Message, "three is bad") {
		t.Errorf("Err = %v", err)
	}
	if r.Successful() {
		t.Error("Successful after a panic")
	}
	a := p.ApplyAsync(failOnThree, 3)
	mustPanic(t, func() { a.Get() })
	// A returned error fails the task too.
	if err := p.ApplyAsync(halve, 3).Err(); err == nil || !strings.Contains(err.Error(), "odd number") {
		t.Errorf("halve(3) error = %v", err)
	}
	if got := p.Apply(halve, 4); got != 2 {
		t.Errorf("halve(4) = %v", got)
	}
	// The pool is still usable.
	if got := p.Map(square, []int{5}); fmt.Sprint(got) != "[25]" {
		t.Errorf("after failures Map = %v", got)
	}
	// Imap: the items before the failure come; the failed one panics.
	it := p.Imap(failOnThree, []int{1, 2, 3, 4})
	var seen []any
	for it.Next() {
		if it.Err() != nil {
			seen = append(seen, "err")
			continue
		}
		seen = append(seen, it.Value())
	}
	if fmt.Sprint(seen) != "[1 2 err 4]" {
		t.Errorf("Imap gave %v", seen)
	}
}

func TestPoolImapOrderedAndUnordered(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 2)
	var got []int
	for it := p.Imap(square, []int{1, 2, 3, 4, 5}); it.Next(); {
		got = append(got, it.Value().(int))
	}
	if fmt.Sprint(got) != "[1 4 9 16 25]" {
		t.Errorf("Imap = %v", got)
	}
	sum, seen := 0, map[int]bool{}
	for it := p.ImapUnordered(square, []int{1, 2, 3, 4, 5}, Chunksize(2)); it.Next(); {
		sum += it.Value().(int)
		seen[it.Index()] = true
	}
	if sum != 55 || len(seen) != 5 {
		t.Errorf("ImapUnordered: sum %d, items %v", sum, seen)
	}
	var fromChan []any
	for v := range p.Imap(square, []int{3, 4}).Chan() {
		fromChan = append(fromChan, v)
	}
	if fmt.Sprint(fromChan) != "[9 16]" {
		t.Errorf("Chan gave %v", fromChan)
	}
}

func TestPoolWorkerKilledMidTaskIsReplaced(t *testing.T) {
	rec, _ := inCell(t)
	p := newTestPool(t, 1)
	r := p.ApplyAsync(sleepThenPid, 0)
	rec.waitFor(t, "stdout", "sleeping pid ")
	var pid int
	fmt.Sscanf(rec.text("stdout")[strings.Index(rec.text("stdout"), "sleeping pid "):], "sleeping pid %d", &pid)
	if err := killPid(pid); err != nil {
		t.Fatal(err)
	}
	err := r.Err()
	if !errors.Is(err, ErrWorkerDied) || !strings.Contains(err.Error(), "SIGKILL") {
		t.Errorf("Err = %v, want the worker's death", err)
	}
	msg := mustPanic(t, func() { r.Get() })
	if !strings.Contains(msg, "died") {
		t.Errorf("Get panicked with %s", msg)
	}
	// The replacement runs the next tasks.
	if got := p.Apply(pidOf, 0); got == pid || got == 0 {
		t.Errorf("after the kill the task ran in pid %v (the dead one was %d)", got, pid)
	}
}

func TestPoolOsExitInATask(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 1)
	// os.Exit as the interpreter reports it: the worker says so, then exits.
	r := p.MapAsync(exitOnThree, []int{1, 2, 3, 4}, Chunksize(1))
	err := r.Err()
	if !errors.Is(err, ErrWorkerDied) || !strings.Contains(err.Error(), "os.Exit(7)") {
		t.Errorf("Err = %v", err)
	}
	// The process's own os.Exit: the worker just ends.
	err = p.ApplyAsync(realExitTask, 5).Err()
	if !errors.Is(err, ErrWorkerDied) || !strings.Contains(err.Error(), "exit code 5") {
		t.Errorf("Err = %v", err)
	}
	if got := p.Map(square, []int{1, 2}); fmt.Sprint(got) != "[1 4]" {
		t.Errorf("after the exits Map = %v", got)
	}
}

func TestPoolTerminateMidMap(t *testing.T) {
	inCell(t)
	p := NewPool(2)
	pids := p.Map(pidOf, []int{1, 2}, Chunksize(1)).([]int)
	r := p.MapAsync(sleepTask, []time.Duration{time.Hour, time.Hour, time.Hour}, Chunksize(1))
	p.Terminate()
	err := r.Err()
	if err == nil || !strings.Contains(err.Error(), "Terminate") && !errors.Is(err, ErrPoolTerminated) {
		t.Errorf("Err after Terminate = %v", err)
	}
	p.Join()
	for _, pid := range pids {
		if processExists(pid) {
			t.Errorf("worker %d is alive after Terminate", pid)
		}
	}
	if n := len(ActiveChildren()); n != 0 {
		t.Errorf("%d active children after Terminate", n)
	}
	msg := mustPanic(t, func() { p.Map(square, []int{1}) })
	if !strings.Contains(msg, "not running") {
		t.Errorf("Map after Terminate: %s", msg)
	}
}

func TestPoolGetTimeoutAndWait(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 1)
	dir := t.TempDir()
	r := p.ApplyAsync(waitForFile, dir+"/go", 5)
	msg := mustPanic(t, func() { r.Get(time.Millisecond) })
	if !strings.Contains(msg, "timed out") {
		t.Errorf("Get(timeout) panicked with %s", msg)
	}
	r.Wait(time.Millisecond)
	if r.Ready() {
		t.Error("ready before the file exists")
	}
	msg = mustPanic(t, func() { r.Successful() })
	if !strings.Contains(msg, "not ready") {
		t.Errorf("Successful before ready: %s", msg)
	}
	touch(t, dir+"/go")
	if got := r.Get(time.Minute); got != 5 {
		t.Errorf("Get = %v", got)
	}
}

func TestPoolInterruptStopsTheWaitAndTheWork(t *testing.T) {
	rec, interrupt := inCell(t)
	p := newTestPool(t, 1)
	go func() {
		rec.waitFor(t, "stdout", "sleeping pid ")
		interrupt()
	}()
	msg := mustPanic(t, func() { p.Map(sleepThenPid, []int{1, 2, 3}, Chunksize(1)) })
	if !strings.Contains(msg, "interrupted") {
		t.Errorf("Map panicked with %s", msg)
	}
	var pid int
	out := rec.text("stdout")
	fmt.Sscanf(out[strings.Index(out, "sleeping pid "):], "sleeping pid %d", &pid)
	// The worker that ran the interrupted task is replaced, and the pool
	// goes on in the next cell.
	inCell(t)
	if got := p.Apply(pidOf, 0); got == pid {
		t.Errorf("the interrupted task's worker %d still runs tasks", pid)
	}
	waitGone(t, pid)
}

func TestPoolInitializerAndMaxTasksPerChild(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 1, Initializer(setPoolPrefix, "ab", 2), MaxTasksPerChild(2))
	if got := p.Map(withPrefix, []int{1, 2, 3}, Chunksize(1)); fmt.Sprint(got) != "[abab1 abab2 abab3]" {
		t.Errorf("initialized workers gave %v", got)
	}
	// 3 tasks above, 6 here, two per worker: the 6 run in 1+2+2+1.
	pids := p.Map(pidOf, []int{1, 2, 3, 4, 5, 6}, Chunksize(1)).([]int)
	tasks := map[int]int{}
	for _, pid := range pids {
		tasks[pid]++
	}
	if len(tasks) != 4 || tasks[pids[0]] != 1 || tasks[pids[5]] != 1 {
		t.Errorf("6 tasks after 3 with MaxTasksPerChild(2) ran in %v", pids)
	}

	broken := newTestPool(t, 1, Initializer(initPanics))
	err := broken.ApplyAsync(square, 2).Err()
	if !errors.Is(err, ErrInitializer) || !strings.Contains(err.Error(), "no database") {
		t.Errorf("with a failing initializer Err = %v", err)
	}
}

func TestPoolCloseJoinFinishesTheWork(t *testing.T) {
	inCell(t)
	p := NewPool(2)
	r := p.MapAsync(square, []int{1, 2, 3, 4, 5}, Chunksize(1))
	p.Close()
	mustPanic(t, func() { p.Apply(square, 1) })
	p.Join()
	if got := r.Get(); fmt.Sprint(got) != "[1 4 9 16 25]" {
		t.Errorf("after Close and Join: %v", got)
	}
	if n := len(ActiveChildren()); n != 0 {
		t.Errorf("%d active children after Join", n)
	}
	if s := p.String(); s != "<mp.Pool state=CLOSE pool_size=2>" {
		t.Errorf("String = %s", s)
	}
}

func TestPoolOutputGoesToTheCallingCell(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 1)
	rec, _ := inCell(t) // a later cell uses the pool
	p.Map(shout, []string{"hola"})
	rec.waitFor(t, "stdout", "HOLA\n")
}

func TestPoolShowProgress(t *testing.T) {
	inCell(t)
	out := &displayRecorder{recorder: newRecorder()}
	parentHost.setCell(CellInfo{ID: 1, Output: out, Context: context.Background()})
	p := newTestPool(t, 1)
	p.Map(square, make([]int, 50), Chunksize(5), ShowProgress())
	d, ok := out.last()
	if !ok {
		t.Fatal("no progress bar was displayed")
	}
	if text, _ := d.Data["text/plain"].(string); !strings.Contains(text, "50/50") {
		t.Errorf("the last drawing of the bar is %q", text)
	}
}

func TestPoolMisuse(t *testing.T) {
	inCell(t)
	p := newTestPool(t, 1)
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { p.Map(func(int) int { return 0 }, []int{1}) }, "function literal"},
		{func() { p.Map(square, 3) }, "slice or an array"},
		{func() { p.Map(3, []int{1}) }, "not a function"},
		{func() { p.Join() }, "still running"},
		{func() { p.Apply(square, make(chan int)) }, "cannot be copied"},
	} {
		if msg := mustPanic(t, tc.f); !strings.Contains(msg, tc.want) {
			t.Errorf("panic %q lacks %q", msg, tc.want)
		}
	}
}

func TestPoolShutdownLeavesNoWorker(t *testing.T) {
	inCell(t)
	p := NewPool(2)
	pids := p.Map(pidOf, []int{1, 2}, Chunksize(1)).([]int)
	r := p.ApplyAsync(sleepTask, time.Hour)
	Shutdown()
	for _, pid := range pids {
		if processExists(pid) {
			t.Errorf("worker %d is alive after Shutdown", pid)
		}
	}
	if err := r.Err(); err == nil {
		t.Error("a task running at Shutdown did not fail")
	}
	p.Terminate()
	if n := len(childrenOfThisProcess()); n != 0 {
		t.Errorf("%d children left", n)
	}
}

func TestPoolLeavesFdsAndGoroutinesFlat(t *testing.T) {
	inCell(t)
	NewPool(1).Terminate() // warm up: the spawner, the broker
	settleToOne(t)
	fds, goroutines := countFds(t), runtime.NumGoroutine()
	for range 5 {
		p := NewPool(2)
		p.Map(square, []int{1, 2, 3})
		p.ApplyAsync(failOnThree, 3).Err()
		p.Close()
		p.Join()
		p = NewPool(1)
		p.ApplyAsync(sleepTask, time.Hour)
		p.Terminate()
	}
	settleToOne(t)
	deadline := time.Now().Add(10 * time.Second)
	for countFds(t) > fds || runtime.NumGoroutine() > goroutines {
		if time.Now().After(deadline) {
			t.Fatalf("fds %d → %d, goroutines %d → %d", fds, countFds(t), goroutines, runtime.NumGoroutine())
		}
		time.Sleep(time.Millisecond)
	}
}
