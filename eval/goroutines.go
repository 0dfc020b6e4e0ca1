package eval

import (
	"sync"
	"sync/atomic"

	"gomp/backend"
)

// goroutineCells tells which cell each goroutine a cell started belongs
// to, so that what the goroutine prints goes under that cell (as a child
// process's output does), also while a later cell runs, and a late panic is
// reported under it instead of failing whichever cell runs then.
//
// The cell's own goroutine needs no entry: a stream write from a goroutine
// without one goes to the running cell. A goroutine started by a cell's
// goroutine belongs to the same cell.
//
// Telling the calling goroutine costs a runtime.Stack, which walks the
// whole stack: tens of microseconds under yaegi's deep frames, more than
// everything else a fmt.Println does. So of asks only while some goroutine
// is bound (bound counts running's entries): a cell that prints in a loop
// with no goroutine alive pays nothing for attribution.
type goroutineCells struct {
	next    atomic.Int64
	pending sync.Map // token → *goroutineCell, between a go statement and its goroutine's start
	running sync.Map // goroutine id → *goroutineCell
	bound   atomic.Int64
}

// goroutineCell is the cell a goroutine belongs to.
type goroutineCell struct {
	seq int64          // the cell's number among Executes
	out backend.Output // where the cell's output goes
}

// start records, in the goroutine running a go statement, the cell the new
// goroutine will belong to, and returns the token the goroutine enters with.
func (g *goroutineCells) start(parent *goroutineCell) int64 {
	token := g.next.Add(1)
	g.pending.Store(token, parent)
	return token
}

// enter binds the calling goroutine to its token's cell.
func (g *goroutineCells) enter(token int64) *goroutineCell {
	v, ok := g.pending.LoadAndDelete(token)
	if !ok {
		return nil
	}
	c := v.(*goroutineCell)
	// Counted before the entry exists: of may then look for nothing, but
	// never skips an entry that exists.
	g.bound.Add(1)
	g.running.Store(goroutineID(), c)
	return c
}

// leave forgets the calling goroutine and returns its cell.
func (g *goroutineCells) leave() *goroutineCell {
	v, ok := g.running.LoadAndDelete(goroutineID())
	if !ok {
		return nil
	}
	g.bound.Add(-1)
	return v.(*goroutineCell)
}

// of returns the cell of the calling goroutine, nil for a goroutine no cell
// started (the cell's own, or the kernel's).
func (g *goroutineCells) of() *goroutineCell {
	if g.bound.Load() == 0 {
		return nil // no goroutine is bound, so neither is the caller
	}
	v, ok := g.running.Load(goroutineID())
	if !ok {
		return nil
	}
	return v.(*goroutineCell)
}
