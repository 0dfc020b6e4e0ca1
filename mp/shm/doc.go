// Package shm is memory that the processes of one gomp kernel share, and the
// few primitives mp's cross-process objects are built on: a region of
// segment files that every process maps, an allocator inside it, futex waits
// and wakes on its words, and a mutex that survives the death of its owner.
//
// Why shared memory rather than a broker: a lock or a queue item that costs a
// round trip through another process is two context switches at least;
// CPython's Lock is a POSIX semaphore in shared memory and its Value sits
// next to it, so anything slower would lose to the course's anchor. Here an
// uncontended lock is one compare-and-swap, a wait is a futex, and an item put
// into a queue is in memory the moment Put returns, whatever happens to the
// process that put it.
//
// A Region is a directory (under /dev/shm when there is one) holding files
// seg-0, seg-1, ...: seg-0 starts with the region's header and serves small
// objects; a large object (a queue's ring, a big array) gets a segment of its
// own. Objects are named by a Ref (segment and offset), which any process of
// the kernel can map from the directory alone: that is what crosses between
// processes, inside codec's shared-object references.
//
// Objects have lives (life.go): which processes hold them and how many
// messages carry them. An object nothing keeps is freed, its segment file
// removed and its seg-0 block put on a free list of its size class, so a
// notebook that makes and drops objects in a loop runs in bounded memory,
// files and mappings. The region itself goes when the kernel ends.
package shm
