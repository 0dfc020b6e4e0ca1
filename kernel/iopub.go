package kernel

import (
	"bytes"
	"encoding/json"
	"log"
	"strings"
	"sync"
	"time"
)

// publisher owns the IOPub PUB socket. Every iopub message of the kernel goes
// through it:
//
//   - at once: publish encodes the message in the calling goroutine and
//     hands it to each subscriber's writer, so a status, a result or an
//     error leaves the kernel as soon as it is known;
//   - in order: one mutex serialises the publishing, and each subscriber's
//     queue is written in order, so messages leave in the order they were
//     published, and a cell's outputs always precede the idle status
//     published after them (nbclient drops output that arrives after idle);
//     and since a reply is sent after flush, everything a handler published
//     is written, to every subscriber that keeps up, before its reply, as in
//     ipykernel (execute_input, outputs, execute_reply, idle);
//   - from anywhere: any number of goroutines (a cell's background
//     goroutines, child processes' relays, the shell and control handlers)
//     may publish at once;
//   - coalesced, for streams only: many small stream writes (a print loop)
//     become few messages. Text is held at most streamFlushDelay, and any
//     other message, a reply or an input_request sends it first, so nothing
//     is reordered, and nothing but stream text ever waits;
//   - bounded, for streams only: a cell's stream text beyond its budget is
//     dropped, with one notice when the cell ends, and beyond a burst the
//     stream text is paced to a rate in bytes and in messages per second,
//     which slows the writer (throttle.go).
//
// Backpressure is the socket's (pubsocket.go): publishing waits while a
// subscriber that keeps up has a full queue, never for one that stopped
// reading, which loses messages instead.
type publisher struct {
	sock    *pubSocket
	auth    *Authenticator
	session string
	log     *log.Logger
	limits  *outputThrottle

	mu      sync.Mutex
	closed  bool         // after shutdown: messages are dropped
	pending *streamChunk // stream text not yet sent
	timer   *time.Timer  // sends pending when streamFlushDelay has passed

	stop chan struct{} // closed by shutdown: run ends
	done chan struct{} // closed when run has ended

	// onSent, when set (by tests, before Serve), is called before each
	// message is written: the iopub ones here, replies by Kernel.reply.
	onSent func(channel, msgType string)
}

const (
	// streamFlushDelay is the longest stream text is held back to be merged
	// with the next write.
	streamFlushDelay = 20 * time.Millisecond
	// streamMaxChunk is the most text one stream message carries.
	streamMaxChunk = 64 << 10
)

type streamChunk struct {
	parent json.RawMessage
	name   string
	text   strings.Builder
}

func newPublisher(sock *pubSocket, auth *Authenticator, session string, logger *log.Logger, limits OutputLimits) *publisher {
	t := time.NewTimer(streamFlushDelay)
	t.Stop()
	return &publisher{
		sock:    sock,
		auth:    auth,
		session: session,
		log:     logger,
		limits:  newOutputThrottle(limits),
		timer:   t,
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// run sends stream text whose delay has passed. It ends when shutdown is
// called.
func (p *publisher) run() {
	defer close(p.done)
	for {
		select {
		case <-p.timer.C:
			// The text may have been sent meanwhile, and new text may be
			// pending that has not waited its delay yet: sending it now
			// only merges less.
			p.mu.Lock()
			p.flushLocked()
			p.mu.Unlock()
		case <-p.stop:
			return
		}
	}
}

// publish sends a message with parent as its parent header, after any
// pending stream text. After shutdown (the
// kernel stopped while a cell's background work still prints) it drops the
// message.
func (p *publisher) publish(msgType string, parent json.RawMessage, content any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.flushLocked()
	p.send(msgType, parent, content)
}

// stream adds text to the "stdout" or "stderr" stream of parent's cell. It
// is merged with the pending text when that continues the same stream of the
// same cell; otherwise the pending text is sent first. The output limits
// may drop the text, or part of it, and may make stream wait (not holding
// p.mu) until the kernel's output rate allows it.
func (p *publisher) stream(parent json.RawMessage, name, text string) {
	keep, late := p.limits.admit(string(parent), text)
	if late {
		p.log.Printf("a cell's output, after the cell ended, is over its limit: dropping the rest")
		defer p.publish("stream", parent, streamContent{Name: "stderr", Text: p.limits.lateNotice()})
	}
	if keep == "" {
		return
	}
	text = keep
	p.mu.Lock()
	newMessage := p.pending == nil || p.pending.name != name || !bytes.Equal(p.pending.parent, parent)
	p.mu.Unlock()
	if wait := p.limits.pace(len(text), newMessage); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-p.stop: // shut down: the text would be dropped anyway
			t.Stop()
			return
		}
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if p.pending != nil && (p.pending.name != name || !bytes.Equal(p.pending.parent, parent)) {
		p.flushLocked()
	}
	if p.pending == nil {
		p.pending = &streamChunk{parent: parent, name: name}
		p.timer.Reset(streamFlushDelay)
	}
	p.pending.text.WriteString(text)
	if p.pending.text.Len() >= streamMaxChunk {
		p.flushLocked()
	}
}

// cellEnded is told that parent's cell has been answered (before its
// result or error is published); if the output limits dropped some of its
// output, a notice saying so goes on its stderr, after what was sent.
func (p *publisher) cellEnded(parent json.RawMessage) {
	if notice := p.limits.ended(string(parent)); notice != "" {
		p.log.Printf("%s", strings.TrimSuffix(notice, "\n"))
		p.publish("stream", parent, streamContent{Name: "stderr", Text: notice})
	}
}

// flush sends the pending stream text, if any, and returns once everything
// published so far is written to the subscribers that keep up.
func (p *publisher) flush() {
	p.mu.Lock()
	p.flushLocked()
	p.mu.Unlock()
	p.sock.Flush()
}

func (p *publisher) flushLocked() {
	if p.pending == nil {
		return
	}
	c := p.pending
	p.pending = nil
	p.timer.Stop()
	p.send("stream", c.parent, streamContent{Name: c.name, Text: c.text.String()})
}

// shutdown sends the pending text, stops publishing, ends run and closes the
// socket, which first delivers what is queued to the subscribers that keep
// up.
func (p *publisher) shutdown() {
	p.mu.Lock()
	p.flushLocked()
	p.closed = true
	p.mu.Unlock()
	close(p.stop)
	<-p.done
	if err := p.sock.Close(); err != nil {
		p.log.Printf("iopub: close: %v", err)
	}
}

// send encodes and writes one message; p.mu is held.
func (p *publisher) send(msgType string, parent json.RawMessage, content any) {
	body, err := json.Marshal(content)
	if err != nil {
		p.log.Printf("iopub: cannot encode %s content, dropped: %v", msgType, err)
		return
	}
	frames, err := EncodeMessage(Message{
		Identities:   [][]byte{[]byte(p.topic(msgType, content))},
		Header:       newHeader(msgType, p.session),
		ParentHeader: parent,
		Content:      body,
	}, p.auth)
	if err != nil {
		p.log.Printf("iopub: cannot encode %s, dropped: %v", msgType, err)
		return
	}
	if p.onSent != nil {
		p.onSent(channelIOPub, msgType) // before the write, as in reply
	}
	p.sock.Send(frames)
}

// topic is the PUB topic frame, as ipykernel names them. Jupyter clients
// subscribe to everything, so the topic is informational.
func (p *publisher) topic(msgType string, content any) string {
	if s, ok := content.(streamContent); ok {
		return "stream." + s.Name
	}
	return "kernel." + p.session + "." + msgType
}

// welcomeMessage makes the iopub_welcome message of JEP 65 for a new
// subscription to topic: no parent, the subscription in its content, and as
// its topic frame the subscription itself (so that the subscriber's own
// filter lets it through), or, for the usual empty subscription, the topic
// ipykernel would give it. It is a pure function of the kernel's key and
// session, so the socket can send it from the moment it is bound.
func welcomeMessage(auth *Authenticator, session string, logger *log.Logger) func(topic string) [][]byte {
	return func(topic string) [][]byte {
		body, err := json.Marshal(iopubWelcomeContent{Subscription: topic})
		if err != nil {
			logger.Printf("iopub: cannot encode the welcome: %v", err)
			return nil
		}
		ident := topic
		if ident == "" {
			ident = "kernel." + session + ".iopub_welcome"
		}
		frames, err := EncodeMessage(Message{
			Identities: [][]byte{[]byte(ident)},
			Header:     newHeader("iopub_welcome", session),
			Content:    body,
		}, auth)
		if err != nil {
			logger.Printf("iopub: cannot encode the welcome: %v", err)
			return nil
		}
		return frames
	}
}
