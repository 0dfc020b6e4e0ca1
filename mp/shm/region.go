package shm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Ref names an object of a region: its segment and its offset there.
type Ref uint64

const offsetBits = 40

func makeRef(seg uint32, off uint64) Ref { return Ref(uint64(seg)<<offsetBits | off) }

// Segment is the segment the object is in.
func (r Ref) Segment() uint32 { return uint32(uint64(r) >> offsetBits) }

// Offset is where the object starts in its segment.
func (r Ref) Offset() uint64 { return uint64(r) & (1<<offsetBits - 1) }

// Region is the shared memory of one kernel's processes, as mapped in this
// one.
type Region struct {
	dir string

	mu   sync.Mutex
	segs map[uint32][]byte // mapped segments
	uses map[uint32]int    // handles of this process on objects in each segment (Hold, Release)
	hdr  *header
}

// header starts seg-0.
type header struct {
	magic   uint64
	alloc   uint32 // the allocator's Mutex word
	nextSeg uint32 // segments made so far (seg-0 included)
	next    uint64 // first byte of seg-0 never allocated
	// free[c] is the offset of the first freed block of class c (its
	// life's next links the rest), 0 when none.
	free [classes]uint64
}

const (
	magic = 0x676f6d702d736d32 // "gomp-sm2"
	// smallSize is seg-0's size: sparse, so untouched pages cost nothing.
	smallSize = 64 << 20
	// ownSegmentAbove is the size from which an object gets a segment of
	// its own.
	ownSegmentAbove = 1 << 20
	headerSize      = 4096
)

// DirPrefix starts the name of a region's directory, which goes on with the
// kernel's pid: gomp-shm-<pid>-<random>.
const DirPrefix = "gomp-shm-"

// Create makes a new region in a new directory (mode 0700) under /dev/shm,
// or under the temporary directory where there is no /dev/shm. It first
// removes regions left by kernels that died without removing theirs.
func Create() (*Region, error) {
	parent := "/dev/shm"
	if st, err := os.Stat(parent); err != nil || !st.IsDir() || syscall.Access(parent, 2 /* W_OK */) != nil {
		parent = os.TempDir()
	}
	RemoveStaleDirs(parent, DirPrefix)
	dir, err := os.MkdirTemp(parent, DirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, fmt.Errorf("shm: making the region's directory: %w", err)
	}
	if err := makeSegmentFile(dir, 0, smallSize); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r := &Region{dir: dir, segs: map[uint32][]byte{}, uses: map[uint32]int{}}
	seg, err := r.segment(0)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r.hdr = (*header)(unsafe.Pointer(&seg[0]))
	r.hdr.nextSeg = 1
	r.hdr.next = headerSize
	atomic.StoreUint64(&r.hdr.magic, magic)
	return r, nil
}

// Open maps the region in dir, which another process created.
func Open(dir string) (*Region, error) {
	r := &Region{dir: dir, segs: map[uint32][]byte{}, uses: map[uint32]int{}}
	seg, err := r.segment(0)
	if err != nil {
		return nil, err
	}
	r.hdr = (*header)(unsafe.Pointer(&seg[0]))
	if atomic.LoadUint64(&r.hdr.magic) != magic {
		r.Close()
		return nil, fmt.Errorf("shm: %s is not a gomp region", dir)
	}
	return r, nil
}

// Dir is the region's directory: all another process needs to open it.
func (r *Region) Dir() string { return r.dir }

// Close unmaps the region in this process. Memory of it used afterwards
// faults, so only a process that is done with every object closes it.
func (r *Region) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for n, b := range r.segs {
		syscall.Munmap(b)
		delete(r.segs, n)
	}
}

// Remove deletes the region's files (the kernel does, at shutdown). Mappings
// stay valid until closed.
func (r *Region) Remove() error { return os.RemoveAll(r.dir) }

// Alloc returns size zeroed bytes of shared memory, aligned to 64 bytes
// (a cache line: two objects never share one), with a life (see Hold) that
// no process holds yet: its maker holds it next.
func (r *Region) Alloc(size int) (Ref, error) {
	if size <= 0 {
		return 0, errors.New("shm: Alloc of a non-positive size")
	}
	if size+lifeSize > maxSmall {
		return r.AllocSegment(int64(size))
	}
	off, err := r.allocBlock(size + lifeSize)
	if err != nil {
		return 0, err
	}
	return makeRef(0, off+lifeSize), nil
}

// allocBlock takes a block of seg-0 of at least n bytes, a freed one of its
// class if there is one, and starts its life; it returns the block's
// offset (the life's).
func (r *Region) allocBlock(n int) (uint64, error) {
	c := classOf(n)
	m := MutexAt(&r.hdr.alloc)
	if _, err := m.Lock(context.Background(), noDeadline); err != nil {
		return 0, err
	}
	off := r.hdr.free[c]
	if off != 0 {
		l := r.lifeAt(off)
		r.hdr.free[c] = l.next
		m.Unlock()
		b, _ := r.Bytes(makeRef(0, off), classSize(c))
		gen := l.gen
		clear(b)
		l.gen = gen + 1
	} else {
		off = (r.hdr.next + 63) &^ 63
		if off+uint64(classSize(c)) > smallSize {
			m.Unlock()
			return 0, fmt.Errorf("shm: %w: the region's %d MiB for small objects (locks, values, pipes) are used up by objects alive", ErrLimit, smallSize>>20)
		}
		r.hdr.next = off + uint64(classSize(c))
		m.Unlock()
		r.lifeAt(off).gen = 1
	}
	l := r.lifeAt(off)
	l.class = uint32(c)
	atomic.StoreUint32(&l.state, lifeLive)
	return off, nil
}

// freeBlock gives a block back to its class's free list.
func (r *Region) freeBlock(off uint64) {
	l := r.lifeAt(off)
	m := MutexAt(&r.hdr.alloc)
	if _, err := m.Lock(context.Background(), noDeadline); err != nil {
		return
	}
	l.next = r.hdr.free[l.class]
	r.hdr.free[l.class] = off
	m.Unlock()
}

// AllocSegment returns a segment of its own of size bytes (sparse: pages
// cost memory once touched), with a life as Alloc's. The segment's first
// page names the life's block in seg-0; the object starts after it, on a
// page.
func (r *Region) AllocSegment(size int64) (Ref, error) {
	lifeOff, err := r.allocBlock(lifeSize)
	if err != nil {
		return 0, err
	}
	n := atomic.AddUint32(&r.hdr.nextSeg, 1) - 1
	if n >= 1<<(64-offsetBits) {
		r.freeBlock(lifeOff)
		return 0, fmt.Errorf("shm: %w: %d segments made", ErrLimit, n)
	}
	f, err := createSegmentFile(r.dir, n, segmentHeaderLen+size)
	if err != nil {
		r.freeBlock(lifeOff)
		return 0, err
	}
	page, err := r.mapSegment(n, f, int(segmentHeaderLen+size))
	f.Close()
	if err != nil {
		os.Remove(segmentPath(r.dir, n))
		r.freeBlock(lifeOff)
		return 0, err
	}
	ref := makeRef(n, segmentHeaderLen)
	r.lifeAt(lifeOff).seg = n
	atomic.StoreUint64((*uint64)(unsafe.Pointer(&page[0])), lifeOff)
	return ref, nil
}

// Bytes is the mapped memory of n bytes at ref.
func (r *Region) Bytes(ref Ref, n int) ([]byte, error) {
	seg, err := r.segment(ref.Segment())
	if err != nil {
		return nil, err
	}
	off := ref.Offset()
	if off+uint64(n) > uint64(len(seg)) || n < 0 {
		return nil, fmt.Errorf("shm: object %#x of %d bytes lies outside its segment", uint64(ref), n)
	}
	return seg[off : off+uint64(n) : off+uint64(n)], nil
}

// SegmentSize is the size of the segment ref is in, from ref on.
func (r *Region) SegmentSize(ref Ref) (int64, error) {
	seg, err := r.segment(ref.Segment())
	return int64(len(seg)) - int64(ref.Offset()), err
}

// Punch gives back to the system the memory of n bytes at ref (they read as
// zeros afterwards, in every process): a queue's ring does it behind its
// readers, so that a long stream does not keep every page it ever touched.
func (r *Region) Punch(ref Ref, n int64) error {
	b, err := r.Bytes(ref, int(n))
	if err != nil || len(b) == 0 {
		return err
	}
	const madvRemove = 9 // MADV_REMOVE: free the tmpfs pages behind the range
	return syscall.Madvise(b, madvRemove)
}

var noDeadline time.Time

func (r *Region) segment(n uint32) ([]byte, error) {
	r.mu.Lock()
	b, ok := r.segs[n]
	r.mu.Unlock()
	if ok {
		return b, nil
	}
	f, err := os.OpenFile(segmentPath(r.dir, n), os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("shm: opening segment %d: %w", n, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("shm: segment %d: %w", n, err)
	}
	return r.mapSegment(n, f, int(st.Size()))
}

func segmentPath(dir string, n uint32) string {
	return filepath.Join(dir, "seg-"+strconv.FormatUint(uint64(n), 10))
}

func makeSegmentFile(dir string, n uint32, size int64) error {
	f, err := createSegmentFile(dir, n, size)
	if err == nil {
		f.Close()
	}
	return err
}

func createSegmentFile(dir string, n uint32, size int64) (*os.File, error) {
	f, err := os.OpenFile(segmentPath(dir, n), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("shm: making segment %d: %w", n, err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, fmt.Errorf("shm: sizing segment %d: %w", n, err)
	}
	return f, nil
}

// mapSegment maps segment n from f, of size bytes, unless it is mapped.
func (r *Region) mapSegment(n uint32, f *os.File, size int) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.segs[n]; ok {
		return b, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		if errors.Is(err, syscall.ENOMEM) {
			return nil, fmt.Errorf("shm: mapping segment %d: %w: the system's memory mappings for this process (vm.max_map_count) are used up by objects alive: %w", n, ErrLimit, err)
		}
		return nil, fmt.Errorf("shm: mapping segment %d: %w", n, err)
	}
	r.segs[n] = b
	return b, nil
}

// RemoveStaleDirs removes the directories under parent named
// prefix<pid>-... whose process is dead and which belong to this user: a
// kernel that was killed could not remove its own (shared memory regions,
// manager sockets).
func RemoveStaleDirs(parent, prefix string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || Alive(pid) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) == os.Getuid() {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// Word is the 4-byte word at ref (aligned), for atomics and futexes.
func (r *Region) Word(ref Ref) (*uint32, error) {
	b, err := r.Bytes(ref, 4)
	if err != nil {
		return nil, err
	}
	return (*uint32)(unsafe.Pointer(&b[0])), nil
}
