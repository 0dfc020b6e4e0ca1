package mp

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// This file sorts after targets_test.go, whose init makes testTargets: Go
// runs a package's init functions in the order of its files' names, so the
// targets of the synchronisation tests are added here.
func init() {
	if testTargets == nil {
		panic("value_test.go's init ran before targets_test.go's")
	}
	for name, f := range map[string]any{
		"incrementWithLock":   incrementWithLock,
		"incrementGuarded":    incrementGuarded,
		"incrementArray":      incrementArray,
		"holdLockAndSleep":    holdLockAndSleep,
		"holdRLockTwice":      holdRLockTwice,
		"takeLock":            takeLock,
		"semaphoreWorker":     semaphoreWorker,
		"releaseSemaphore":    releaseSemaphore,
		"overReleaseBounded":  overReleaseBounded,
		"waitEventThenSet":    waitEventThenSet,
		"waitCondition":       waitCondition,
		"barrierParty":        barrierParty,
		"barrierAction":       barrierAction,
		"barrierWaitAndPrint": barrierWaitAndPrint,
		"lockLoop":            lockLoop,
		"valueLoop":           valueLoop,
	} {
		testTargets[name] = f
	}
	testTypes["guarded"] = reflect.TypeOf(guarded{})
}

// guarded is a notebook struct holding shared objects: they cross inside it.
type guarded struct {
	Mu *Lock
	N  *Value
}

func incrementWithLock(v *Value, n int) {
	for range n {
		v.GetLock().Lock()
		v.Set(v.Get().(int) + 1)
		v.GetLock().Unlock()
	}
}

func incrementGuarded(g guarded, n int) {
	for range n {
		g.Mu.Acquire()
		g.N.Set(g.N.Get().(int) + 1)
		g.Mu.Release()
	}
}

func incrementArray(a *Array, n int) {
	for range n {
		a.GetLock().Lock()
		for i := range a.Len() {
			switch x := a.Get(i).(type) {
			case int:
				a.Set(i, x+1)
			case float64:
				a.Set(i, x+1)
			case uint8:
				a.Set(i, x+1)
			}
		}
		a.GetLock().Unlock()
	}
}

func TestValueKeepsItsType(t *testing.T) {
	inCell(t)
	for _, x := range []any{int(-5), int8(-3), int16(-300), int32(-70000), int64(-1 << 40), uint(7), uint8(255),
		uint16(65535), uint32(1 << 31), uint64(1 << 63), uintptr(9), float32(1.5), float64(-2.25), true} {
		v := NewValue(x)
		if got := v.Get(); got != x {
			t.Errorf("NewValue(%T %v).Get() = %T %v", x, x, got, got)
		}
	}
	f := NewValue(0.0)
	f.Set(3) // an integer into a float, as Python's Value('d') takes one
	if got := f.Get(); got != 3.0 {
		t.Errorf("float Value after Set(3) = %v", got)
	}
	if got := f.Add(0.5); got != 3.5 {
		t.Errorf("Add(0.5) = %v", got)
	}
	i := NewValue(int8(127))
	if got := i.Add(int8(1)); got != int8(-128) {
		t.Errorf("int8 127 + 1 = %v, want -128 (Go's wrap-around)", got)
	}
	msg := mustPanic(t, func() { NewValue(1).Set("x") })
	if !strings.Contains(msg, "int") || !strings.Contains(msg, "string") {
		t.Errorf("Set of a string into an int Value: %q should name both types", msg)
	}
	msg = mustPanic(t, func() { NewValue(1).Set(1.5) })
	if !strings.Contains(msg, "int") || !strings.Contains(msg, "float64") {
		t.Errorf("Set of a float64 into an int Value: %q", msg)
	}
	mustPanic(t, func() { NewValue("text") })
	mustPanic(t, func() { NewValue(true).Add(true) })
	if got := fmt.Sprint(NewValue(5)); got != "Value(int, 5)" {
		t.Errorf("Println of a Value: %q", got)
	}
}

func TestArrayElementsAndSlice(t *testing.T) {
	inCell(t)
	a := NewArray([]int{1, 2, 3})
	a.Set(1, 20)
	if got := a.Slice().([]int); !reflect.DeepEqual(got, []int{1, 20, 3}) || a.Len() != 3 {
		t.Errorf("Slice = %v (len %d)", got, a.Len())
	}
	if got := fmt.Sprint(a); got != "Array(int, [1 20 3])" {
		t.Errorf("Println of an Array: %q", got)
	}
	// Narrow elements share words: writing one must keep its neighbours.
	b := NewArray([]byte("hello"))
	b.Set(1, byte('a'))
	b.Set(4, byte('!'))
	if got := string(b.Slice().([]byte)); got != "hall!" {
		t.Errorf("bytes = %q", got)
	}
	s := NewArray([]int16{-1, 2, -3})
	s.Set(0, int16(-32768))
	if got := s.Slice().([]int16); !reflect.DeepEqual(got, []int16{-32768, 2, -3}) {
		t.Errorf("int16s = %v", got)
	}
	flags := NewArray(make([]bool, 3))
	flags.Set(2, true)
	if got := flags.Slice().([]bool); !reflect.DeepEqual(got, []bool{false, false, true}) {
		t.Errorf("bools = %v", got)
	}
	fs := NewArray(make([]float32, 2))
	fs.Set(1, 1) // an integer into a float
	if got := fs.Get(1); got != float32(1) {
		t.Errorf("float32 element = %T %v", got, got)
	}
	if msg := mustPanic(t, func() { a.Get(3) }); !strings.Contains(msg, "out of range") {
		t.Errorf("Get(3) of 3: %q", msg)
	}
	if msg := mustPanic(t, func() { a.Set(0, "x") }); !strings.Contains(msg, "string") {
		t.Errorf("Set of a string: %q", msg)
	}
	mustPanic(t, func() { NewArray([]string{"x"}) })
	mustPanic(t, func() { NewArray(3) })
	if got := NewArray([]int{}).Len(); got != 0 {
		t.Errorf("empty Array has Len %d", got)
	}
}

// Increments under the Value's lock, from several processes at once, are
// exact: the Value and its lock are the same memory in every process.
func TestValueIncrementsAreExactAcrossProcesses(t *testing.T) {
	inCell(t)
	const perProcess = 2000
	v := NewValue(0)
	g := guarded{Mu: NewLock(), N: NewValue(0)}
	var ps []*Process
	for range 2 {
		ps = append(ps, NewProcess(incrementWithLock, v, perProcess), NewProcess(incrementGuarded, g, perProcess))
	}
	for _, p := range ps {
		p.Start()
	}
	incrementWithLock(v, perProcess)
	incrementGuarded(g, perProcess)
	for _, p := range ps {
		p.Join()
		if p.ExitCode() != 0 {
			t.Fatalf("%s exited with %v", p.Name, p.ExitCode())
		}
	}
	if got := v.Get(); got != 3*perProcess {
		t.Errorf("Value = %v, want %d", got, 3*perProcess)
	}
	if got := g.N.Get(); got != 3*perProcess {
		t.Errorf("Value in a struct = %v, want %d", got, 3*perProcess)
	}
}

func TestArrayIncrementsAreExactAcrossProcesses(t *testing.T) {
	inCell(t)
	const perProcess = 500
	ints, floats, bytes := NewArray(make([]int, 5)), NewArray(make([]float64, 3)), NewArray(make([]uint8, 7))
	var ps []*Process
	for _, a := range []*Array{ints, floats, bytes} {
		for range 2 {
			ps = append(ps, NewProcess(incrementArray, a, perProcess))
		}
	}
	for _, p := range ps {
		p.Start()
	}
	for _, p := range ps {
		p.Join()
		if p.ExitCode() != 0 {
			t.Fatalf("%s exited with %v", p.Name, p.ExitCode())
		}
	}
	if got := ints.Slice().([]int); !reflect.DeepEqual(got, []int{1000, 1000, 1000, 1000, 1000}) {
		t.Errorf("ints = %v", got)
	}
	if got := floats.Slice().([]float64); !reflect.DeepEqual(got, []float64{1000, 1000, 1000}) {
		t.Errorf("floats = %v", got)
	}
	if got := bytes.Slice().([]uint8); !reflect.DeepEqual(got, []uint8{232, 232, 232, 232, 232, 232, 232}) {
		t.Errorf("bytes = %v (1000 mod 256 = 232)", got)
	}
}
