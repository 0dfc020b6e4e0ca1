package kernel

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"sync"
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
// Here Send returns once the message is written to every subscriber (so a
// flush is simply the last Send), each write has a deadline, a subscriber
// that cannot keep up is disconnected (libzmq SUB sockets reconnect and
// resubscribe by themselves), handshakes run in their own goroutines with a
// deadline, and Close ends every goroutine the socket started.
//
// It is safe for concurrent use.
type pubSocket struct {
	*zmtpListener
	log *log.Logger

	mu    sync.Mutex
	peers map[*subscriber]struct{} // subscribers past their handshake
}

// subscriber is one connected SUB socket.
type subscriber struct {
	*zmtpConn

	mu     sync.Mutex
	topics map[string]struct{} // subscribed prefixes
}

// maxSubscriberFrame bounds what a subscriber may send (subscriptions are
// short); a larger frame is a broken or hostile peer.
const maxSubscriberFrame = 64 << 10

// listenPub binds a PUB socket to a tcp:// or ipc:// endpoint.
func listenPub(endpoint string, logger *log.Logger, timeouts socketTimeouts) (*pubSocket, error) {
	p := &pubSocket{log: logger, peers: make(map[*subscriber]struct{})}
	l, err := listenZMTP(endpoint, channelIOPub, logger, timeouts, "PUB", []string{"SUB", "XSUB"}, p.serve)
	if err != nil {
		return nil, err
	}
	p.zmtpListener = l
	return p, nil
}

// serve reads one subscriber's subscriptions until its connection ends.
func (p *pubSocket) serve(c *zmtpConn) {
	s := &subscriber{zmtpConn: c, topics: make(map[string]struct{})}
	p.mu.Lock()
	p.peers[s] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.peers, s)
		p.mu.Unlock()
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
			s.setTopic(string(body[1:]), true)
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
		s.setTopic(string(data), true)
	case cmdCancel:
		s.setTopic(string(data), false)
	case cmdPing:
		return s.pong(data)
	}
	return nil
}

func (s *subscriber) setTopic(topic string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.topics[topic] = struct{}{}
	} else {
		delete(s.topics, topic)
	}
}

// wants reports whether s is subscribed to a prefix of topic.
func (s *subscriber) wants(topic []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.topics {
		if bytes.HasPrefix(topic, []byte(t)) {
			return true
		}
	}
	return false
}

// Send writes a message (its first frame is the topic) to every subscriber
// that wants it, and returns when it is written. A subscriber whose write
// fails or times out is disconnected.
func (p *pubSocket) Send(frames [][]byte) {
	if len(frames) == 0 {
		return
	}
	p.mu.Lock()
	peers := make([]*subscriber, 0, len(p.peers))
	for s := range p.peers {
		peers = append(peers, s)
	}
	p.mu.Unlock()
	for _, s := range peers {
		if !s.wants(frames[0]) {
			continue
		}
		if err := s.writeFrames(frames, 0); err != nil {
			if errors.Is(err, net.ErrClosed) {
				continue // gone already, or the socket is closing
			}
			p.log.Printf("iopub: dropping subscriber %s: %v", s.RemoteAddr(), err)
			s.Close() // its reader ends and removes it
		}
	}
}

// subscribers counts the subscribers past their handshake.
func (p *pubSocket) subscribers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.peers)
}
