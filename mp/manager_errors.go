package mp

import "errors"

// ErrEmpty and ErrFull are Python's queue.Empty and queue.Full, for every
// queue of the package (mp.Queue and a manager's QueueProxy alike). They are
// declared here until the queues land; whoever merges second keeps one
// declaration.
var (
	// ErrEmpty is a Get that found no item within its timeout.
	ErrEmpty = errors.New("mp: queue is empty")
	// ErrFull is a Put that found no room within its timeout.
	ErrFull = errors.New("mp: queue is full")
)
