package eval

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"gomp/mp"
)

// prober finds out which declaration a function value is. Every function a
// cell declares starts with `if __gompProbe { __gomp.Identify(name, recv) }`
// (see probeFunc), __gompProbe being an interpreted global that is true only
// while a probe is under way; to identify a value, mp's Start calls it with
// zero arguments while this goroutine is marked as probing, and the
// function's first statement reports its name instead of running. Only the
// probing goroutine's Identify stops the function, so other goroutines
// calling the same functions meanwhile run them normally.
type prober struct {
	// flag sets the interpreted global every function's probe reads
	// (probeFlag): reading a global costs a cell's call far less than a
	// call into compiled code would.
	flag   func(on bool)
	mu     sync.Mutex   // one probe at a time
	active atomic.Bool  // a probe is under way: the fast path of probing()
	tid    atomic.Int64 // the OS thread the probing goroutine is locked to
	hit    *probeHit    // what found recorded (guarded by mu: only the probing goroutine writes it)
}

// probeHit is the panic value of Identify.
type probeHit struct {
	name string
	recv any
}

// probing tells the probing goroutine from others by its OS thread, to
// which it is locked for the probe (no other goroutine runs there
// meanwhile): a gettid costs far less than reading the goroutine's id from
// its stack trace.
func (p *prober) probing() bool {
	return p.active.Load() && int64(syscall.Gettid()) == p.tid.Load()
}

// identify is the probe's report: on the probing goroutine it stops the
// function (a panic its caller recovers); on any other goroutine, which saw
// the flag while a probe was under way, the function goes on.
func (p *prober) identify(name string, recv any) {
	if p.probing() {
		panic(probeHit{name, recv})
	}
}

// found is the report of a target wrapper (rewriter.targetWrapper), which
// can stop itself by returning: it records the hit and says to return, on
// the probing goroutine only. A panic through the interpreter's frames
// cost most of a probe.
func (p *prober) found(name string) bool {
	if !p.probing() {
		return false
	}
	p.hit = &probeHit{name: name}
	return true
}

// goroutineID reads the current goroutine's id from its stack header
// ("goroutine 42 [running]:"). It is only used while a probe is under way.
func goroutineID() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	field := bytes.Fields(buf[:n])
	if len(field) < 2 {
		return -1
	}
	id, err := strconv.ParseInt(string(field[1]), 10, 64)
	if err != nil {
		return -1
	}
	return id
}

// call calls fn (an interpreted function) with zero arguments in probing
// mode and returns what its probe reported. The call runs on a goroutine of
// its own, locked to its thread, which is how probing knows it.
func (p *prober) call(fn reflect.Value) (hit probeHit, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		p.tid.Store(int64(syscall.Gettid()))
		p.active.Store(true)
		defer p.active.Store(false)
		if p.flag != nil {
			p.flag(true)
			defer p.flag(false)
		}
		defer func() {
			if r := recover(); r != nil {
				hit, ok = r.(probeHit)
			}
		}()
		t := fn.Type()
		args := make([]reflect.Value, t.NumIn())
		for i := range args {
			args[i] = reflect.Zero(t.In(i))
		}
		p.hit = nil
		if t.IsVariadic() {
			fn.CallSlice(args)
		} else {
			fn.Call(args)
		}
		if p.hit != nil {
			hit, ok = *p.hit, true
		}
	}()
	<-done
	return hit, ok
}

// Identify tells which top-level function or method fn is (mp.Host).
func (s *Session) Identify(fn reflect.Value) (mp.Target, error) {
	for fn.IsValid() && fn.Kind() == reflect.Interface {
		fn = fn.Elem()
	}
	if !fn.IsValid() {
		return mp.Target{}, errors.New("the target is nil; give a top-level function, e.g. mp.NewProcess(worker, 1)")
	}
	if fn.Kind() != reflect.Func {
		return s.runMethodTarget(fn)
	}
	if fn.IsNil() {
		return mp.Target{}, errors.New("the target is a nil function")
	}
	if name := runtime.FuncForPC(fn.Pointer()).Name(); name != "reflect.makeFuncStub" {
		return s.compiledTarget(name)
	}
	hit, ok := s.probe.call(fn)
	s.traces.take() // the probe's panic is not an error of the cell
	if !ok {
		return mp.Target{}, errors.New("cannot tell which function the target is; give a function declared at the top level of a cell (func worker(...) {...})")
	}
	if name, ok := strings.CutPrefix(hit.name, genericProbe); ok {
		return mp.Target{}, fmt.Errorf("%s is a generic function, which cannot be a process target: declare a plain function that calls it with the types it needs, e.g. func worker(x int) { %s(x) }", name, name)
	}
	if hit.name == "" {
		return mp.Target{}, errors.New("the target is a closure (a function literal); a child process cannot run it, as Python's spawn cannot run a lambda: declare it as a top-level function (func worker(...) {...}) and pass any values it needs as arguments")
	}
	t := mp.Target{Func: hit.name}
	if hit.recv != nil {
		t.Recv = reflect.ValueOf(hit.recv)
	}
	return t, nil
}

// runMethodTarget makes the Run method of a value of a session type its
// target: Go's form of a Python Process subclass.
func (s *Session) runMethodTarget(v reflect.Value) (mp.Target, error) {
	s.state.RLock()
	defer s.state.RUnlock()
	t := v.Type()
	ptr := t.Kind() == reflect.Pointer
	if ptr {
		t = t.Elem()
	}
	name, ok := s.typeNames()[t]
	if ok {
		if _, e := s.decls.find("method " + name + ".Run"); e != nil {
			if strings.Contains(e.text, "*"+name+")") || strings.Contains(e.text, "*"+name+" )") {
				if !ptr {
					p := reflect.New(v.Type())
					p.Elem().Set(v)
					v = p
				}
				return mp.Target{Func: "(*" + name + ").Run", Recv: v}, nil
			}
			if ptr {
				v = v.Elem()
			}
			return mp.Target{Func: name + ".Run", Recv: v}, nil
		}
	}
	return mp.Target{}, fmt.Errorf("the target must be a function, or a value whose type has a Run method; got a %s", v.Type())
}

// compiledTarget names a function of a package the session imports
// ("math/rand.Intn" → "rand.Intn").
func (s *Session) compiledTarget(full string) (mp.Target, error) {
	dot := strings.LastIndex(full, ".")
	slash := strings.LastIndex(full, "/")
	if dot < 0 || dot < slash || strings.ContainsAny(full[dot+1:], "()-*") || strings.Contains(full[slash+1:dot], "(") {
		return mp.Target{}, fmt.Errorf("%s cannot be a process target; give a top-level function of a cell", full)
	}
	if strings.Contains(full, "yaegi") {
		// fmt.Println and friends are closures of the interpreter's.
		return mp.Target{}, errors.New("this library function cannot be a process target; declare a function in a cell that calls it")
	}
	path, fn := full[:dot], full[dot+1:]
	s.state.RLock()
	defer s.state.RUnlock()
	for _, is := range s.imports {
		if is.path == path && is.name != "_" && is.name != "." {
			return mp.Target{Func: is.localName() + "." + fn}, nil
		}
	}
	return mp.Target{}, fmt.Errorf("%s cannot be a process target: import %q in a cell first", full, path)
}
