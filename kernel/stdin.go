package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"sync"
	"time"
)

// errKernelStopped is what Input returns once the kernel is shutting down.
var errKernelStopped = errors.New("kernel is shutting down")

// stdinChannel asks the frontend for input: it sends input_request on the
// stdin ROUTER socket to the client that sent the execute_request (jupyter
// clients use the same identity on shell and stdin, so the shell request's
// routing identities address the right stdin socket), and hands the matching
// input_reply, received by the stdin reader, back to the waiting cell.
type stdinChannel struct {
	sock    *routerSocket
	auth    *Authenticator
	session string
	pub     *publisher
	log     *log.Logger

	mu sync.Mutex
	// pending are the input_requests waiting for their reply, oldest first.
	// An entry leaves when its reply is delivered or its ask gives up.
	pending []*pendingInput

	stopping chan struct{}
	stopOnce sync.Once
}

func newStdinChannel(sock *routerSocket, auth *Authenticator, session string, pub *publisher, logger *log.Logger) *stdinChannel {
	return &stdinChannel{
		sock:     sock,
		auth:     auth,
		session:  session,
		pub:      pub,
		log:      logger,
		stopping: make(chan struct{}),
	}
}

// stop makes every waiting and future ask return errKernelStopped.
func (s *stdinChannel) stop() {
	s.stopOnce.Do(func() { close(s.stopping) })
}

// ask sends an input_request for the cell whose request header is parent and
// whose client is at route, and waits for the answer.
func (s *stdinChannel) ask(ctx context.Context, route [][]byte, parent json.RawMessage, prompt string, password bool) (string, error) {
	// Requests are independent: each reply is matched to its request by the
	// parent msg_id. (Holding later requests back until an earlier one is
	// answered would let a prompt the frontend ignored, say one from a
	// finished cell's goroutine, block every later cell's input.)
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-s.stopping:
		return "", errKernelStopped
	default:
	}

	// Text the cell printed before asking (often the prompt itself) must
	// reach the frontend before the input box does.
	s.pub.flush()

	body, err := json.Marshal(inputRequestContent{Prompt: prompt, Password: password})
	if err != nil {
		return "", fmt.Errorf("encode input_request: %w", err)
	}
	header := newHeader("input_request", s.session)
	frames, err := EncodeMessage(Message{
		Identities:   route,
		Header:       header,
		ParentHeader: parent,
		Content:      body,
	}, s.auth)
	if err != nil {
		return "", fmt.Errorf("encode input_request: %w", err)
	}

	reply := s.await(header.MsgID)
	defer s.forget(reply)

	if err := s.send(ctx, frames); err != nil {
		return "", fmt.Errorf("send input_request: %w", err)
	}
	select {
	case v := <-reply.value:
		return v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-s.stopping:
		return "", errKernelStopped
	}
}

// peerWait is how long an input_request waits for the frontend's stdin
// socket to connect: a frontend connects its channels one by one, and a
// cell that reads at once can run before the stdin one has shaken hands.
const peerWait = 5 * time.Second

// send sends an input_request, waiting up to peerWait for the peer with
// the request's identity to be connected.
func (s *stdinChannel) send(ctx context.Context, frames [][]byte) error {
	deadline := time.Now().Add(peerWait)
	for {
		err := s.sock.Send(frames)
		if !errors.Is(err, errNoPeer) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.stopping:
			return errKernelStopped
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// pendingInput is one input_request waiting for its input_reply.
type pendingInput struct {
	msgID string      // the input_request's msg_id
	value chan string // buffered: deliver never blocks
}

// await registers an input_request about to be sent.
func (s *stdinChannel) await(msgID string) *pendingInput {
	p := &pendingInput{msgID: msgID, value: make(chan string, 1)}
	s.mu.Lock()
	s.pending = append(s.pending, p)
	s.mu.Unlock()
	return p
}

// forget removes p if it is still pending (its ask gave up).
func (s *stdinChannel) forget(p *pendingInput) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.pending, p); i >= 0 {
		s.pending = slices.Delete(s.pending, i, i+1)
	}
}

// deliver hands an input_reply to the input_request it answers and removes
// that request from the pending ones, so each request gets one answer.
//
// A reply names its request by the parent header's msg_id. A reply with no
// parent header goes to the oldest pending request: jupyter_client's
// blocking client input(), which jupyter console uses, sends exactly that,
// and ipykernel accepts it (it waits for any reply on stdin). With a single
// request pending, which is the usual case, that is the one it answers.
//
// A reply to nothing (the cell was interrupted meanwhile, or the reply is a
// duplicate) is dropped with an error for the log.
func (s *stdinChannel) deliver(msg Message) error {
	var parent struct {
		MsgID string `json:"msg_id"`
	}
	// objectOrEmpty made the parent header a JSON object, possibly {}; a
	// msg_id that is not a string counts as none.
	_ = json.Unmarshal(msg.ParentHeader, &parent)
	var c inputReplyContent
	if err := json.Unmarshal(msg.Content, &c); err != nil {
		return fmt.Errorf("bad input_reply content: %w", err)
	}
	s.mu.Lock()
	i := 0
	if parent.MsgID != "" {
		i = slices.IndexFunc(s.pending, func(p *pendingInput) bool { return p.msgID == parent.MsgID })
	}
	var p *pendingInput
	if i >= 0 && i < len(s.pending) {
		p = s.pending[i]
		s.pending = slices.Delete(s.pending, i, i+1)
	}
	s.mu.Unlock()
	switch {
	case p != nil:
		p.value <- c.Value // buffered, and p got no other value: removed above
		return nil
	case parent.MsgID == "":
		return errors.New("input_reply without a parent header, and no input_request is waiting")
	default:
		return fmt.Errorf("input_reply to %q, which is not waiting (interrupted, or answered already)", field(parent.MsgID))
	}
}
