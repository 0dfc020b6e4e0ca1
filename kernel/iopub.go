package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"log"
	"strings"
	"time"
)

// publisher owns the IOPub PUB socket. Every iopub message of the kernel goes
// through its one goroutine, fed by a channel, for three reasons:
//
//   - order: messages leave in the order they were published, so a cell's
//     outputs always precede the idle status published after them (nbclient
//     drops output that arrives after idle);
//   - safety: any number of goroutines (a cell's background goroutines, child
//     processes' relays, the shell and control handlers) may publish at once;
//   - coalescing: many small stream writes (a print loop) become few messages.
//     Text is held at most streamFlushDelay, and any other message for any
//     cell flushes it first, so nothing is reordered or held back for long.
type publisher struct {
	sock    *pubSocket
	auth    *Authenticator
	session string
	log     *log.Logger

	in   chan pubItem
	stop chan struct{} // closed to ask the loop to drain and end
	done chan struct{} // closed when the loop has ended and the socket is closed

	// pending is stream text not yet sent, and when it must go.
	pending      *streamChunk
	pendingTimer *time.Timer
}

const (
	// publishQueue bounds what publishers may queue ahead of the socket;
	// beyond it, a publishing cell waits, which is the backpressure a huge
	// print loop needs.
	publishQueue = 1024
	// streamFlushDelay is the longest stream text is held back to be merged
	// with the next write.
	streamFlushDelay = 20 * time.Millisecond
	// streamMaxChunk is the most text one stream message carries.
	streamMaxChunk = 64 << 10
)

// pubItem is one request to the publishing goroutine: a message, stream text
// to coalesce, or a barrier.
type pubItem struct {
	msgType string
	parent  json.RawMessage
	content any

	stream *streamChunk // for msgType "stream"

	// barrier, when set, is closed once everything published before it has
	// been handed to the socket.
	barrier chan struct{}
}

type streamChunk struct {
	parent json.RawMessage
	name   string
	text   strings.Builder
}

func newPublisher(sock *pubSocket, auth *Authenticator, session string, logger *log.Logger) *publisher {
	return &publisher{
		sock:    sock,
		auth:    auth,
		session: session,
		log:     logger,
		in:      make(chan pubItem, publishQueue),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// publish queues a message. After the publisher has stopped (the kernel shut
// down while a cell's background work still prints), it drops the message
// instead of blocking forever.
func (p *publisher) publish(msgType string, parent json.RawMessage, content any) {
	p.enqueue(pubItem{msgType: msgType, parent: parent, content: content})
}

// stream queues text for the "stdout" or "stderr" stream of parent's cell.
func (p *publisher) stream(parent json.RawMessage, name, text string) {
	c := &streamChunk{parent: parent, name: name}
	c.text.WriteString(text)
	p.enqueue(pubItem{msgType: "stream", stream: c})
}

// flush waits until everything published so far has been handed to the
// socket, or ctx ends, or the publisher stops.
func (p *publisher) flush(ctx context.Context) {
	b := make(chan struct{})
	p.enqueue(pubItem{barrier: b})
	select {
	case <-b:
	case <-ctx.Done():
	case <-p.done:
	}
}

func (p *publisher) enqueue(it pubItem) {
	select {
	case p.in <- it:
	case <-p.done:
	}
}

// run is the publishing goroutine. It ends after shutdown has been called,
// once it has sent everything queued before that.
func (p *publisher) run() {
	defer close(p.done)
	p.pendingTimer = time.NewTimer(streamFlushDelay)
	p.pendingTimer.Stop()
	defer p.pendingTimer.Stop()

	for {
		select {
		case it := <-p.in:
			p.handle(it)
		case <-p.pendingTimer.C:
			p.flushPending()
		case <-p.stop:
			p.drain()
			return
		}
	}
}

// drain sends what is queued, then closes the socket. pubSocket.Send
// returns once a message is written, so nothing sent is lost by the close.
func (p *publisher) drain() {
	for {
		select {
		case it := <-p.in:
			p.handle(it)
		default:
			p.flushPending()
			if err := p.sock.Close(); err != nil {
				p.log.Printf("iopub: close: %v", err)
			}
			return
		}
	}
}

// shutdown stops the publisher and waits until the socket is closed.
func (p *publisher) shutdown() {
	close(p.stop)
	<-p.done
}

func (p *publisher) handle(it pubItem) {
	switch {
	case it.barrier != nil:
		p.flushPending()
		close(it.barrier)
	case it.stream != nil:
		p.addStream(it.stream)
	default:
		p.flushPending()
		p.send(it.msgType, it.parent, it.content)
	}
}

// addStream merges c into the pending text when it continues the same stream
// of the same cell, and otherwise sends the pending text first.
func (p *publisher) addStream(c *streamChunk) {
	if p.pending != nil && (p.pending.name != c.name || !bytes.Equal(p.pending.parent, c.parent)) {
		p.flushPending()
	}
	if p.pending == nil {
		p.pending = c
		p.pendingTimer.Reset(streamFlushDelay)
	} else {
		p.pending.text.WriteString(c.text.String())
	}
	if p.pending.text.Len() >= streamMaxChunk {
		p.flushPending()
	}
}

func (p *publisher) flushPending() {
	if p.pending == nil {
		return
	}
	c := p.pending
	p.pending = nil
	p.pendingTimer.Stop()
	p.send("stream", c.parent, streamContent{Name: c.name, Text: c.text.String()})
}

// send encodes and hands one message to the socket.
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
