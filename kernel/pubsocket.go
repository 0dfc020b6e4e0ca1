package kernel

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"time"
	"unicode/utf8"
)

// pubSocket is the IOPub PUB socket, on this package's ZMTP (zmtp.go)
// rather than zmq4's PUB socket (v0.17), which has pitfalls that matter to a
// kernel:
//
//   - its Close never stops the socket's writer goroutine (socket.Close does
//     not close the writer), so every closed PUB socket leaks a goroutine;
//   - it queues messages without bound in that goroutine and has no flush, so
//     the last messages before Close (the shutdown reply, the idle status) are
//     lost unless the caller sleeps and hopes;
//   - a subscriber that stops reading blocks every send forever;
//   - it runs each handshake inside its accept loop without a deadline, so one
//     silent connection keeps every later subscriber out.
//
// Here, as in libzmq's PUB, each subscriber has a bounded queue, written to
// its connection by a goroutine of its own, so that subscribers never wait
// for one another. Send puts a message in the queue of every subscriber that
// wants it. When a queue is full (its high-water mark), Send waits for room
// only while that subscriber's writes make progress: a reader that keeps up
// gets every message, in order, and paces the kernel's output as TCP would.
// A subscriber whose writes have made no progress for pubDropAfter falls
// behind: messages for it are dropped (counted in the log) until its queue
// has drained, as libzmq drops at the high-water mark, and one that makes no
// progress for the write timeout is disconnected (libzmq SUB sockets
// reconnect and resubscribe by themselves). Flush waits until the readers
// that keep up have been written everything sent before it; Close flushes,
// then ends every goroutine the socket started. Handshakes run in their own
// goroutines with a deadline.
//
// It is safe for concurrent use.
type pubSocket struct {
	*zmtpListener
	log    *log.Logger
	limits pubLimits
	// welcome, when not nil, makes the message a subscriber is sent when
	// its subscription arrives (nil: none is sent); see subscribed.
	welcome func(topic string) [][]byte

	mu    sync.Mutex
	peers map[*subscriber]struct{} // subscribers past their handshake
}

// pubLimits bound each subscriber's queue and say how long a subscriber that
// makes no progress is waited for.
type pubLimits struct {
	queueMessages int           // high-water mark, in messages (libzmq's default SNDHWM)
	queueBytes    int           // and in bytes; a lone message may exceed it
	dropAfter     time.Duration // Send stops waiting for room, and drops
	flushPatience time.Duration // Flush stops waiting for this subscriber
}

var defaultPubLimits = pubLimits{
	queueMessages: 1000,
	queueBytes:    16 << 20,
	dropAfter:     time.Second,
	// Short: what a flush orders is only which of the iopub messages and
	// the reply the client reads first, and a stalled reader must not
	// slow every reply.
	flushPatience: 50 * time.Millisecond,
}

// subscriber is one connected SUB socket.
type subscriber struct {
	*zmtpConn
	log    *log.Logger
	limits pubLimits

	topicsMu sync.Mutex
	topics   map[string]struct{} // subscribed prefixes

	mu       sync.Mutex
	queue    []pubMessage  // not yet written, oldest first; queue[0] is being written
	queued   int           // bytes in queue
	enqueued uint64        // messages ever queued
	written  uint64        // messages ever taken off the queue (written or failed)
	writing  bool          // the writer is writing queue[0]
	progress time.Time     // when that write began or last moved
	behind   bool          // dropping messages until the queue drains
	dropped  int           // messages dropped since it fell behind
	closed   bool          // the connection has ended
	changed  chan struct{} // closed (and replaced) when written or closed changes
	wake     chan struct{} // tells the writer the queue is not empty
}

// pubMessage is one message to write; the frames are shared by every queue.
type pubMessage struct {
	frames [][]byte
	size   int
}

func newPubMessage(frames [][]byte) pubMessage {
	m := pubMessage{frames: frames}
	for _, f := range frames {
		m.size += len(f) + frameOverhead
	}
	return m
}

// maxSubscriberFrame bounds what a subscriber may send (subscriptions are
// short); a larger frame is a broken or hostile peer.
const maxSubscriberFrame = 64 << 10

// listenPub binds a PUB socket to a tcp:// or ipc:// endpoint. welcome
// (which may be nil) makes the message sent to each new subscription.
func listenPub(endpoint string, logger *log.Logger, timeouts socketTimeouts, welcome func(topic string) [][]byte) (*pubSocket, error) {
	p := &pubSocket{log: logger, limits: defaultPubLimits, welcome: welcome, peers: make(map[*subscriber]struct{})}
	l, err := listenZMTP(endpoint, channelIOPub, logger, timeouts, "PUB", []string{"SUB", "XSUB"}, p.serve)
	if err != nil {
		return nil, err
	}
	p.zmtpListener = l
	return p, nil
}

// serve runs one subscriber: its writer, in a goroutine that serve waits
// for, and the reading of its subscriptions, here, until its connection
// ends.
func (p *pubSocket) serve(c *zmtpConn) {
	s := &subscriber{
		zmtpConn: c,
		log:      p.log,
		limits:   p.limits,
		topics:   make(map[string]struct{}),
		changed:  make(chan struct{}),
		wake:     make(chan struct{}, 1),
	}
	p.mu.Lock()
	p.peers[s] = struct{}{}
	p.mu.Unlock()
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		s.writeLoop()
	}()
	defer func() {
		p.mu.Lock()
		delete(p.peers, s)
		p.mu.Unlock()
		s.end()
		<-writerDone
	}()

	continued := false // the frame read is part of a multi-frame message
	for {
		flags, body, err := readFrame(s.r, maxSubscriberFrame)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				p.log.Printf("iopub: subscriber %s: %v", s.RemoteAddr(), err)
			}
			return
		}
		switch {
		case flags&flagCommand != 0:
			if err := p.command(s, body); err != nil {
				return
			}
		case continued || flags&flagMore != 0:
			// Subscriptions are single-frame messages; anything else
			// from a subscriber means nothing to a PUB socket.
		case len(body) > 0 && body[0] == 1:
			p.subscribed(s, string(body[1:]))
		case len(body) > 0 && body[0] == 0:
			s.setTopic(string(body[1:]), false)
		}
		continued = flags&flagMore != 0
	}
}

// command handles a ZMTP command from a subscriber: subscriptions in the
// ZMTP 3.1 form, and heartbeats (libzmq pings when ZMQ_HEARTBEAT_IVL is set).
func (p *pubSocket) command(s *subscriber, body []byte) error {
	name, data, err := parseCommand(body)
	if err != nil {
		return nil // nothing to act on
	}
	switch name {
	case cmdSubscribe:
		p.subscribed(s, string(data))
	case cmdCancel:
		s.setTopic(string(data), false)
	case cmdPing:
		return s.pong(data)
	}
	return nil
}

// subscribed records a subscription of s and sends s, and only s, the
// welcome message (JEP 65's iopub_welcome), before anything else published
// for the new topic. A client that receives it knows its subscription is in
// place: it need not probe with kernel_info requests until a status message
// gets through, which jupyter_client does with 200 ms waits. An XPUB socket
// in libzmq can only broadcast the welcome to every subscriber; a queue per
// subscriber lets it go to the one that subscribed, so the others never see
// a message that is not theirs. A topic that is not UTF-8 gets no welcome,
// as the JEP says.
func (p *pubSocket) subscribed(s *subscriber, topic string) {
	if p.welcome != nil && utf8.ValidString(topic) {
		if frames := p.welcome(topic); len(frames) > 0 {
			// Queued before the topic is set, so that no message
			// published meanwhile for the topic can come first.
			s.enqueue(newPubMessage(frames))
		}
	}
	s.setTopic(topic, true)
}

func (s *subscriber) setTopic(topic string, on bool) {
	s.topicsMu.Lock()
	defer s.topicsMu.Unlock()
	if on {
		s.topics[topic] = struct{}{}
	} else {
		delete(s.topics, topic)
	}
}

// wants reports whether s is subscribed to a prefix of topic.
func (s *subscriber) wants(topic []byte) bool {
	s.topicsMu.Lock()
	defer s.topicsMu.Unlock()
	for t := range s.topics {
		if bytes.HasPrefix(topic, []byte(t)) {
			return true
		}
	}
	return false
}

// Send queues a message (its first frame is the topic) for every subscriber
// that wants it. It waits only for a full queue whose subscriber keeps up.
func (p *pubSocket) Send(frames [][]byte) {
	if len(frames) == 0 {
		return
	}
	m := newPubMessage(frames)
	for _, s := range p.snapshot() {
		if s.wants(frames[0]) {
			s.enqueue(m)
		}
	}
}

// Flush waits until every subscriber that keeps up has been written the
// messages sent before the call.
func (p *pubSocket) Flush() {
	p.flushUntil(time.Time{})
}

// flushUntil is Flush, giving up at deadline (zero: never).
func (p *pubSocket) flushUntil(deadline time.Time) {
	for _, s := range p.snapshot() {
		s.flush(deadline)
	}
}

// closeGrace bounds how long Close waits for slow (but moving) readers to
// be written what is queued for them.
const closeGrace = 2 * time.Second

// Close delivers what is queued to the subscribers that keep up, for at
// most closeGrace, then stops accepting, closes every connection and waits
// for the socket's goroutines.
func (p *pubSocket) Close() error {
	p.flushUntil(time.Now().Add(closeGrace))
	return p.zmtpListener.Close()
}

func (p *pubSocket) snapshot() []*subscriber {
	p.mu.Lock()
	defer p.mu.Unlock()
	peers := make([]*subscriber, 0, len(p.peers))
	for s := range p.peers {
		peers = append(peers, s)
	}
	return peers
}

// enqueue adds m to the queue, waiting for room while the writer makes
// progress; once it has made none for dropAfter, the subscriber is behind
// and m is dropped.
func (s *subscriber) enqueue(m pubMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.closed {
		if len(s.queue) == 0 || (len(s.queue) < s.limits.queueMessages && s.queued+m.size <= s.limits.queueBytes) {
			s.queue = append(s.queue, m)
			s.queued += m.size
			s.enqueued++
			select {
			case s.wake <- struct{}{}:
			default: // the writer has been told already
			}
			return
		}
		if !s.behind && s.stalledFor() >= s.limits.dropAfter {
			s.behind = true
			s.log.Printf("iopub: subscriber %s has read nothing for %v: dropping messages for it until it catches up",
				s.RemoteAddr(), s.limits.dropAfter)
		}
		if s.behind {
			s.dropped++
			return
		}
		s.waitLocked(s.limits.dropAfter - s.stalledFor())
	}
}

// flush waits until what was queued before the call is written, unless the
// subscriber is behind, or stalls for flushPatience, or deadline (unless
// zero) passes.
func (s *subscriber) flush(deadline time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	target := s.enqueued
	for !s.closed && !s.behind && s.written < target {
		left := s.limits.flushPatience - s.stalledFor()
		if !deadline.IsZero() {
			left = min(left, time.Until(deadline))
		}
		if left <= 0 {
			return
		}
		s.waitLocked(left)
	}
}

// stalledFor is how long the writer has been in a write that made no
// progress; s.mu is held.
func (s *subscriber) stalledFor() time.Duration {
	if !s.writing {
		return 0
	}
	return time.Since(s.progress)
}

// waitLocked waits, with s.mu released, until written or closed changes or
// d has passed.
func (s *subscriber) waitLocked(d time.Duration) {
	changed := s.changed
	s.mu.Unlock()
	defer s.mu.Lock()
	t := time.NewTimer(max(d, time.Millisecond))
	defer t.Stop()
	select {
	case <-changed:
	case <-t.C:
	}
}

// changedLocked wakes everything waiting in waitLocked; s.mu is held.
func (s *subscriber) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// writeLoop writes the queue to the connection, one message at a time,
// until the connection ends or a write fails; a failed write closes the
// connection (which ends serve's reading).
func (s *subscriber) writeLoop() {
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.mu.Unlock()
			<-s.wake
			s.mu.Lock()
		}
		if s.closed {
			s.mu.Unlock()
			return
		}
		m := s.queue[0]
		s.writing = true
		s.progress = time.Now()
		s.mu.Unlock()

		err := s.writeFramesProgress(m.frames, 0, s.moved)

		s.mu.Lock()
		if s.closed { // end let the queue go meanwhile
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.queue[0] = pubMessage{} // the frames may be large: let them go
		s.queue = s.queue[1:]
		s.queued -= m.size
		s.written++
		s.writing = false
		if len(s.queue) == 0 && s.behind {
			s.behind = false
			s.log.Printf("iopub: subscriber %s caught up; %d messages were dropped for it", s.RemoteAddr(), s.dropped)
			s.dropped = 0
		}
		s.changedLocked()
		s.mu.Unlock()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Printf("iopub: dropping subscriber %s: %v", s.RemoteAddr(), err)
			}
			s.Close() // serve's reading ends, and then serve ends s
			return
		}
	}
}

// moved records that the current write is making progress.
func (s *subscriber) moved() {
	s.mu.Lock()
	s.progress = time.Now()
	s.mu.Unlock()
}

// end marks the connection ended: the writer returns, waiters stop waiting,
// and the queue is let go.
func (s *subscriber) end() {
	s.Close()
	s.mu.Lock()
	s.closed = true
	s.queue, s.queued = nil, 0
	s.changedLocked()
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// subscribers counts the subscribers past their handshake.
func (p *pubSocket) subscribers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.peers)
}
