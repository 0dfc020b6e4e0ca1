package shm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Every object of a region has a life: a block in seg-0 (just before the
// object when it is small, named by the first page of its segment when it
// has one) that records which processes hold the object and how many
// messages in flight carry it. A process holds an object while it has
// handles on it (Hold, Release: mp counts a handle until the garbage
// collector finds it unreachable, or until its Close); a message put into a
// queue or a pipe carries its objects until it is received (Transit). When
// the last holder lets go and no message carries it, the object is freed:
// its segment file removed and its blocks given back to the allocator, for
// objects of the same size class to reuse. Each process unmaps a segment
// once its own last handle on it is released.
//
// A process that dies holding objects cannot release them: its slots are
// cleared by the next Release or Sweep of any other process that sees it
// dead, and a process that let go of an object others still hold keeps it
// on a list to sweep again (mp does when a child ends, after the
// collections it starts, and when an allocation fails).
//
// What is never freed: an object whose holders overflowed its table or that
// was pinned (Pin: mp pins what it stores in a manager, whose copies it
// cannot count), and what the items left in a freed queue carry. Those stay
// until the region goes with its kernel.

// life is the start of every object's block.
type life struct {
	lock    uint32 // Mutex word
	gen     uint32 // bumped each time the block is allocated again
	class   uint32 // the block's size class
	state   uint32 // lifeLive, lifeFreed
	transit uint32 // messages in flight that carry the object
	pinned  uint32 // 1: never freed
	seg     uint32 // the object's own segment, 0 for none
	nparts  uint32
	next    uint64    // next freed block of its class
	parts   [2]uint64 // segment objects freed with it (a pipe's rings)
	holders [lifeSlots]lifeHolder
}

type lifeHolder struct {
	pid     uint32
	handles uint32
}

const (
	lifeSize  = 256
	lifeSlots = (lifeSize - 56) / 8
	lifeLive  = 1
	lifeFreed = 2
	// segmentHeaderLen is a segment's first page: the offset of its
	// object's life.
	segmentHeaderLen = 4096
	// Size classes of seg-0 blocks: 64 bytes << c.
	classes  = 15
	maxSmall = 64 << (classes - 1) // 1 MiB: larger objects get a segment
)

// ErrLimit is a limit of shared memory reached by objects alive (mp's
// errors say which, and how to avoid it).
var ErrLimit = errors.New("limit of shared objects reached")

func classOf(n int) int {
	c := 0
	for 64<<c < n {
		c++
	}
	return c
}

func classSize(c int) int { return 64 << c }

func (r *Region) lifeAt(off uint64) *life {
	seg, _ := r.segment(0)
	return (*life)(unsafe.Pointer(&seg[off]))
}

// Life names one allocation of an object's life block: a process keeps it
// to sweep an object it let go of (the generation tells a reused block).
type Life struct {
	off uint64
	gen uint32
}

// lifeOf finds the life of the object at ref.
func (r *Region) lifeOf(ref Ref) (Life, *life, error) {
	var off uint64
	if ref.Segment() == 0 {
		if ref.Offset() < headerSize+lifeSize || ref.Offset() >= smallSize {
			return Life{}, nil, fmt.Errorf("shm: object %#x has no life", uint64(ref))
		}
		off = ref.Offset() - lifeSize
	} else {
		page, err := r.Bytes(makeRef(ref.Segment(), 0), segmentHeaderLen)
		if err != nil {
			return Life{}, nil, err
		}
		off = atomic.LoadUint64((*uint64)(unsafe.Pointer(&page[0])))
		if off < headerSize || off+lifeSize > smallSize || off%64 != 0 {
			return Life{}, nil, fmt.Errorf("shm: segment %d names no life", ref.Segment())
		}
	}
	l := r.lifeAt(off)
	return Life{off: off, gen: atomic.LoadUint32(&l.gen)}, l, nil
}

func (l *life) mutex() Mutex { return MutexAt(&l.lock) }

func (l *life) lockDead() bool {
	_, err := l.mutex().Lock(context.Background(), noDeadline)
	return err != nil
}

// SetParts makes the segment objects parts be freed with the object at
// ref (a pipe's rings): their lives are never held themselves.
func (r *Region) SetParts(ref Ref, parts ...Ref) error {
	_, l, err := r.lifeOf(ref)
	if err != nil {
		return err
	}
	if len(parts) > len(l.parts) {
		return fmt.Errorf("shm: %d parts, at most %d", len(parts), len(l.parts))
	}
	for i, p := range parts {
		l.parts[i] = uint64(p)
	}
	l.nparts = uint32(len(parts))
	return nil
}

// segmentsOf are the segments a handle on l maps.
func (l *life) segmentsOf() []uint32 {
	var segs []uint32
	if l.seg != 0 {
		segs = append(segs, l.seg)
	}
	for _, p := range l.parts[:min(l.nparts, 2)] {
		segs = append(segs, Ref(p).Segment())
	}
	return segs
}

// Hold counts one more handle of this process on the object at ref.
func (r *Region) Hold(ref Ref) (Life, error) {
	id, l, err := r.lifeOf(ref)
	if err != nil {
		return Life{}, err
	}
	if l.lockDead() {
		return Life{}, errors.New("shm: the object's lock failed")
	}
	if atomic.LoadUint32(&l.state) != lifeLive {
		l.mutex().Unlock()
		return Life{}, fmt.Errorf("shm: object %#x was freed", uint64(ref))
	}
	if s := l.slot(selfPid, true); s != nil {
		s.handles++
	} else {
		l.pinned = 1 // too many holders to count: kept for good
	}
	segs := l.segmentsOf()
	l.mutex().Unlock()
	r.mu.Lock()
	for _, n := range segs {
		r.uses[n]++
	}
	r.mu.Unlock()
	return id, nil
}

// slot is pid's holder slot, or a free one for it if add (clearing the
// slots of dead processes when there is none); nil when none.
func (l *life) slot(pid uint32, add bool) *lifeHolder {
	free := -1
	for i := range l.holders {
		switch {
		case l.holders[i].pid == pid:
			return &l.holders[i]
		case l.holders[i].pid == 0 && free < 0:
			free = i
		}
	}
	if !add {
		return nil
	}
	if free < 0 {
		l.reapDead()
		for i := range l.holders {
			if l.holders[i].pid == 0 {
				free = i
				break
			}
		}
		if free < 0 {
			return nil
		}
	}
	l.holders[free] = lifeHolder{pid: pid}
	return &l.holders[free]
}

// reapDead clears the slots of processes that died holding the object.
func (l *life) reapDead() {
	for i := range l.holders {
		if h := l.holders[i]; h.pid != 0 && (h.handles == 0 || (h.pid != selfPid && !Alive(int(h.pid)))) {
			l.holders[i] = lifeHolder{}
		}
	}
}

// unheld reports whether nothing keeps the object: no holder, no message.
func (l *life) unheld() bool {
	if l.pinned != 0 || l.transit != 0 {
		return false
	}
	for _, h := range l.holders {
		if h.pid != 0 {
			return false
		}
	}
	return true
}

// Release counts one handle fewer of this process on the object id names,
// unmaps its segments here once no handle of this process uses them, and
// frees the object when nothing else keeps it; freed says so (false: some
// process or message still has it, and the caller may Sweep it later).
func (r *Region) Release(id Life) (freed bool) {
	l := r.lifeAt(id.off)
	if l.lockDead() {
		return false
	}
	if atomic.LoadUint32(&l.gen) != id.gen || atomic.LoadUint32(&l.state) != lifeLive {
		l.mutex().Unlock()
		return true // not ours any more
	}
	if s := l.slot(selfPid, false); s != nil && s.handles > 0 {
		s.handles--
	}
	segs := l.segmentsOf()
	freed = r.freeIfUnheldLocked(id.off, l)
	r.unuse(segs)
	return freed
}

// unuse counts a handle fewer on segs, unmapping those no handle of this
// process uses any more.
func (r *Region) unuse(segs []uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range segs {
		if r.uses[n]--; r.uses[n] > 0 {
			continue
		}
		delete(r.uses, n)
		if b, ok := r.segs[n]; ok {
			syscall.Munmap(b)
			delete(r.segs, n)
		}
	}
}

// freeIfUnheldLocked is called with l's lock held, and releases it: it
// clears dead holders and frees the object if nothing keeps it.
func (r *Region) freeIfUnheldLocked(off uint64, l *life) bool {
	l.reapDead()
	if !l.unheld() {
		l.mutex().Unlock()
		return false
	}
	atomic.StoreUint32(&l.state, lifeFreed)
	seg, parts := l.seg, l.parts[:min(l.nparts, 2)]
	l.mutex().Unlock()
	for _, p := range parts {
		if _, pl, err := r.lifeOf(Ref(p)); err == nil {
			pid, _, _ := r.lifeOf(Ref(p))
			atomic.StoreUint32(&pl.state, lifeFreed)
			r.removeSegment(Ref(p).Segment())
			r.freeBlock(pid.off)
		}
	}
	if seg != 0 {
		r.removeSegment(seg)
	}
	r.freeBlock(off)
	return true
}

// removeSegment removes segment n's file, and its mapping here if no handle
// of this process uses it (the freeing process's last one went already).
func (r *Region) removeSegment(n uint32) {
	os.Remove(segmentPath(r.dir, n))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.uses[n] > 0 {
		return
	}
	if b, ok := r.segs[n]; ok {
		syscall.Munmap(b)
		delete(r.segs, n)
	}
}

// Sweep looks again at objects this process let go of while others held
// them, freeing those whose other holders died since; it returns those
// still kept.
func (r *Region) Sweep(ids []Life) (kept []Life) {
	for _, id := range ids {
		l := r.lifeAt(id.off)
		if l.lockDead() {
			kept = append(kept, id)
			continue
		}
		if atomic.LoadUint32(&l.gen) != id.gen || atomic.LoadUint32(&l.state) != lifeLive {
			l.mutex().Unlock()
			continue // freed, maybe reused
		}
		if !r.freeIfUnheldLocked(id.off, l) {
			kept = append(kept, id)
		}
	}
	return kept
}

// Transit counts delta more messages in flight that carry the object at
// ref (a queue's item, a pipe's message): +1 when one is put, -1 when it is
// received.
func (r *Region) Transit(ref Ref, delta int) {
	id, l, err := r.lifeOf(ref)
	if err != nil || l.lockDead() {
		return
	}
	if atomic.LoadUint32(&l.state) != lifeLive {
		l.mutex().Unlock()
		return
	}
	l.transit = uint32(max(int64(l.transit)+int64(delta), 0))
	if delta < 0 {
		r.freeIfUnheldLocked(id.off, l) // no holder left while it travelled
		return
	}
	l.mutex().Unlock()
}

// Pin keeps the object at ref until the region goes.
func (r *Region) Pin(ref Ref) {
	_, l, err := r.lifeOf(ref)
	if err != nil || l.lockDead() {
		return
	}
	l.pinned = 1
	l.mutex().Unlock()
}

// Stats are counts of a region's objects as this process sees them, for
// tests and diagnostics.
type Stats struct {
	Mapped   int    // segments mapped here (seg-0 included)
	HighMark uint64 // bytes of seg-0 ever allocated
}

// Stats reads the region's counts.
func (r *Region) Stats() Stats {
	r.mu.Lock()
	n := len(r.segs)
	r.mu.Unlock()
	return Stats{Mapped: n, HighMark: atomic.LoadUint64(&r.hdr.next)}
}
