package mp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestQueueCarriesValuesBetweenProcesses(t *testing.T) {
	inCell(t)
	q := NewQueue()
	p := joined(t, NewProcess(putSquare, 5, q))
	if p.ExitCode() != 0 {
		t.Fatalf("exit %v", p.ExitCode())
	}
	if got := q.Get(); got != 25 {
		t.Fatalf("got %#v, want 25", got)
	}
	// Types survive, in this process too.
	for _, v := range []any{7, "s", []int{1, 2}, map[string]int{"a": 1}, qjob{"w", 3}, nil} {
		q.Put(v)
	}
	for _, want := range []string{"7 int", "s string", "[1 2] []int", "map[a:1] map[string]int", "{w 3} mp.qjob", "<nil> <nil>"} {
		v := q.Get()
		if got := strings.TrimSpace(sprintTyped(v)); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

// Seed 004: a value of a notebook type goes to a child, which calls its
// method.
func TestQueueItemKeepsItsMethods(t *testing.T) {
	inCell(t)
	q, out := NewQueue(), NewQueue()
	p := NewProcess(callJobMethod, q, out)
	p.Start()
	q.Put(qjob{"job", 5})
	q.Close()
	q.JoinThread()
	p.Join()
	if got := out.Get(); got != "job#25 in "+p.Name {
		t.Fatalf("got %v", got)
	}
}

func TestManyProducersAndConsumersExactly(t *testing.T) {
	inCell(t)
	const producers, consumers, each = 3, 3, 2000
	q, results := NewQueue(), NewQueue()
	var ps []*Process
	for i := range producers {
		ps = append(ps, NewProcess(produceTagged, q, i, each))
	}
	for range consumers {
		ps = append(ps, NewProcess(consumeTagged, q, results))
	}
	for _, p := range ps {
		p.Start()
	}
	for _, p := range ps[:producers] {
		p.Join()
	}
	for range consumers {
		q.Put(nil) // one stop per consumer, after every item
	}
	count, sum := 0, 0
	for range consumers {
		r := results.Get().([]int)
		if r[1] != 0 {
			t.Errorf("a consumer saw %d items out of their producer's order", r[1])
		}
		count += r[0]
		sum += r[2]
	}
	for _, p := range ps[producers:] {
		p.Join()
		if p.ExitCode() != 0 {
			t.Fatalf("%s exit %v", p.Name, p.ExitCode())
		}
	}
	if count != producers*each || sum != producers*each*(each-1)/2 {
		t.Fatalf("consumers got %d items (seq sum %d), want %d (%d)", count, sum, producers*each, producers*each*(each-1)/2)
	}
	if !q.Empty() || q.Qsize() != 0 {
		t.Fatalf("%d items left", q.Qsize())
	}
}

func TestConsumerKilledWhileGettingLosesNothing(t *testing.T) {
	rec, _ := inCell(t)
	q, out := NewQueue(), NewQueue()
	p := NewProcess(getOneInto, q, out)
	p.Start()
	rec.waitFor(t, "stdout", "getting")
	p.Kill()
	p.Join()
	q.Put("kept")
	if got, err := q.GetTimeout(10 * time.Second); got != "kept" || err != nil {
		t.Fatalf("got %v, %v", got, err)
	}
	if !out.Empty() {
		t.Fatal("the killed consumer put something")
	}
}

func TestProducerKilledRightAfterPutLosesNothing(t *testing.T) {
	rec, _ := inCell(t)
	q := NewQueue()
	p := NewProcess(putThenSleep, q, 100)
	p.Start()
	rec.waitFor(t, "stdout", "put done")
	p.Kill()
	p.Join()
	for i := range 100 {
		v, err := q.GetNowait()
		if err != nil || v != i {
			t.Fatalf("item %d: %v, %v", i, v, err)
		}
	}
}

func TestBoundedQueueFullAndTimeouts(t *testing.T) {
	inCell(t)
	q := NewQueue(2)
	q.Put(1)
	if err := q.PutNowait(2); err != nil {
		t.Fatal(err)
	}
	if !q.Full() || q.Qsize() != 2 {
		t.Fatalf("Full %v Qsize %d", q.Full(), q.Qsize())
	}
	if err := q.PutNowait(3); !errors.Is(err, ErrFull) {
		t.Fatalf("PutNowait into a full queue: %v", err)
	}
	if err := q.PutTimeout(3, time.Millisecond); !errors.Is(err, ErrFull) {
		t.Fatalf("PutTimeout into a full queue: %v", err)
	}
	q.Get()
	q.Get()
	if _, err := q.GetNowait(); !errors.Is(err, ErrEmpty) {
		t.Fatalf("GetNowait of an empty queue: %v", err)
	}
	if _, err := q.GetTimeout(time.Millisecond); !errors.Is(err, ErrEmpty) {
		t.Fatalf("GetTimeout of an empty queue: %v", err)
	}
	// A Put waiting for room gets it when a child takes an item.
	q.Put(10)
	q.Put(20)
	out := NewQueue()
	p := NewProcess(getOneInto, q, out)
	p.Start()
	q.Put(30) // waits until the child got 10
	p.Join()
	if got := out.Get(); got != 10 {
		t.Fatalf("child got %v", got)
	}
	for _, want := range []int{20, 30} {
		if got := q.Get(); got != want {
			t.Fatalf("got %v, want %d", got, want)
		}
	}
}

func TestQueueRefusesWhatCannotBeCopied(t *testing.T) {
	inCell(t)
	q := NewQueue()
	msg := mustPanic(t, func() { q.Put(make(chan int)) })
	if !strings.Contains(msg, "chan int") {
		t.Errorf("panic %q does not name the type", msg)
	}
	type withFunc struct{ F func() }
	err := q.PutNowait(withFunc{})
	if err == nil || !strings.Contains(err.Error(), "func()") {
		t.Errorf("PutNowait of a func inside a struct: %v", err)
	}
	if !q.Empty() {
		t.Error("a refused item is in the queue")
	}
	q.Close()
	if err := q.PutNowait(1); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
	msg = mustPanic(t, func() { NewQueue().JoinThread() })
	if !strings.Contains(msg, "Close first") {
		t.Errorf("JoinThread before Close: %q", msg)
	}
}

func TestQueueGetStopsOnInterrupt(t *testing.T) {
	_, interrupt := inCell(t)
	q := NewQueue()
	done := make(chan error, 1)
	go func() {
		defer func() { done <- recover().(error) }()
		q.Get()
	}()
	interrupt()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Get ended with %v", err)
	}
	full := NewQueue(1)
	full.Put(1)
	if err := full.PutTimeout(2, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("PutTimeout after the interrupt: %v", err)
	}
}

func TestJoinableQueueJoinsWhenAllDone(t *testing.T) {
	inCell(t)
	q, results := NewJoinableQueue(), NewQueue()
	var ps []*Process
	for range 2 {
		p := NewProcess(taskWorker, q, results)
		p.Start()
		ps = append(ps, p)
	}
	for i := range 50 {
		q.Put(i)
	}
	q.Join()
	if results.Qsize() != 50 {
		t.Fatalf("Join returned with %d results of 50", results.Qsize())
	}
	q.Put(nil)
	q.Put(nil)
	q.Join()
	for _, p := range ps {
		p.Join()
	}
	msg := mustPanic(t, q.TaskDone)
	if !strings.Contains(msg, "more times") {
		t.Errorf("TaskDone too many: %q", msg)
	}
}

func TestSimpleQueue(t *testing.T) {
	inCell(t)
	q := NewSimpleQueue()
	if !q.Empty() {
		t.Fatal("new SimpleQueue not empty")
	}
	out := NewQueue()
	q.Put(qjob{"s", 2})
	q.Put(nil)
	// The SimpleQueue goes to a child inside a []any and comes back.
	out.Put([]any{q})
	back := out.Get().([]any)[0].(*SimpleQueue)
	if back != q {
		t.Fatal("the queue came back as another handle")
	}
	if got := back.Get(); got != (qjob{"s", 2}) {
		t.Fatalf("got %v", got)
	}
	back.Get()
	q.Close()
}
