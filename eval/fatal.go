package eval

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"math"
	"runtime/debug"
	"sync"
	"syscall"
)

// Go fatal errors that a cell can turn into an ordinary panic cheaply, so
// that the session and its state survive them. The rest (concurrent map
// writes, a stack overflow, a heap that outgrows the machine) still end
// the session's process; the kernel then starts a new one with the
// notebook's declarations (replay.go).
//
// An allocation larger than the memory the session may use: Go's runtime
// asks the system for it, and when the system refuses, it dies of "fatal
// error: runtime: out of memory" (make([]byte, 30<<30) on a machine or a
// control group with less). A make of a slice or channel whose size is not
// a small constant gets its length checked first, against the session's
// memory limit (its cgroup's, debug.SetMemoryLimit) or the machine's
// memory; above it, make panics with a runtime error, as Go's make does
// for a length out of range. The check is one call per such make.
//
// Not converted: recursion depth. yaegi's interpreted calls use the Go
// stack, so an endless recursion ends in Go's "stack overflow". A depth
// check at every interpreted function's top would cost at least one
// compiled call per call, 1.39 × plain yaegi on fib(27) for an empty one
// (bench/README.md), over the 1.1 a call-heavy cell may take.

// makeCall checks the lengths of a make of a slice or channel (a hook of
// rewriter.builtinCall).
func (r *rewriter) makeCall(c *ast.CallExpr) {
	if len(c.Args) < 2 {
		return
	}
	tv, ok := r.f.tv(r.p.off(c.Args[0].Pos()), r.p.off(c.Args[0].End()))
	if !ok || !tv.IsType() {
		return
	}
	var elem types.Type
	what := []string{"makeslice: len", "makeslice: cap"}
	switch t := tv.Type.Underlying().(type) {
	case *types.Slice:
		elem = t.Elem()
	case *types.Chan:
		elem, what = t.Elem(), []string{"makechan: size"}
	default:
		return // a map's size is a hint, allocated as it fills
	}
	if hasTypeParam(elem) {
		return // generic code: its size is its instances'
	}
	size := elemSizes.Sizeof(elem)
	if size <= 0 {
		return
	}
	for i, a := range c.Args[1:] {
		if i >= len(what) {
			return
		}
		start, end := r.p.off(a.Pos()), r.p.off(a.End())
		if av, ok := r.f.tv(start, end); ok && av.Value != nil {
			if n, exact := constant.Int64Val(constant.ToInt(av.Value)); exact && n >= 0 && n <= smallAllocation/size {
				continue // most makes: nothing to check
			}
		}
		r.edits = append(r.edits,
			edit{start, start, runtimePkg + ".MakeLen(int64("},
			edit{end, end, fmt.Sprintf("), %d, %q)", size, what[i])})
	}
}

// hasTypeParam reports whether t's size depends on a type parameter (go/types
// cannot size it).
func hasTypeParam(t types.Type) bool {
	switch t := t.(type) {
	case *types.TypeParam:
		return true
	case *types.Named:
		if args := t.TypeArgs(); args != nil {
			for i := range args.Len() {
				if hasTypeParam(args.At(i)) {
					return true
				}
			}
		}
		return hasTypeParam(t.Underlying())
	case *types.Array:
		return hasTypeParam(t.Elem())
	case *types.Struct:
		for i := range t.NumFields() {
			if hasTypeParam(t.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

// elemSizes are the sizes of the types cells run with.
var elemSizes = types.SizesFor("gc", "amd64")

// smallAllocation is the size below which a constant make is not checked.
const smallAllocation = 64 << 20

// makeLen returns n, or panics when n elements of size bytes are more than
// the session may allocate; what is Go's name of the length checked.
func makeLen(n, size int64, what string) int64 {
	if n <= 0 || size <= 0 {
		return n // Go's make reports a negative length itself
	}
	limit := allocationLimit()
	if n > limit/size {
		panic(allocationError{what: what, n: n, size: size, limit: limit})
	}
	return n
}

// allocationLimit is the most one allocation may take: the Go memory
// limit when one is set (the session sets it from its cgroup), else the
// machine's memory.
func allocationLimit() int64 {
	if l := debug.SetMemoryLimit(-1); l < math.MaxInt64 {
		return l
	}
	return machineMemory()
}

var machineMemory = sync.OnceValue(func() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return math.MaxInt64
	}
	return int64(si.Totalram) * int64(si.Unit)
})

// allocationError is the panic of a make larger than allocationLimit; a
// runtime.Error, as Go's own make panics are.
type allocationError struct {
	what           string
	n, size, limit int64
}

func (allocationError) RuntimeError() {}

func (e allocationError) Error() string {
	return fmt.Sprintf("runtime error: %s out of range (%d elements of %d bytes are %s, more than the %s this session may use)",
		e.what, e.n, e.size, sizeText(float64(e.n)*float64(e.size)), sizeText(float64(e.limit)))
}

func sizeText(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f bytes", b)
}
