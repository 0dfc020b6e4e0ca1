package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sync"

	"github.com/go-zeromq/zmq4"
)

// errKernelStopped is what Input returns once the kernel is shutting down.
var errKernelStopped = errors.New("kernel is shutting down")

// stdinChannel asks the frontend for input: it sends input_request on the
// stdin ROUTER socket to the client that sent the execute_request (jupyter
// clients use the same identity on shell and stdin, so the shell request's
// routing identities address the right stdin socket), and hands the matching
// input_reply, received by the stdin reader, back to the waiting cell.
type stdinChannel struct {
	sock    zmq4.Socket
	auth    *Authenticator
	session string
	pub     *publisher
	log     *log.Logger

	mu      sync.Mutex
	pending map[string]chan string // input_request msg_id -> its reply

	stopping chan struct{}
	stopOnce sync.Once
}

func newStdinChannel(sock zmq4.Socket, auth *Authenticator, session string, pub *publisher, logger *log.Logger) *stdinChannel {
	return &stdinChannel{
		sock:     sock,
		auth:     auth,
		session:  session,
		pub:      pub,
		log:      logger,
		pending:  make(map[string]chan string),
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
	s.pub.flush(ctx)

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

	reply := make(chan string, 1)
	s.mu.Lock()
	s.pending[header.MsgID] = reply
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, header.MsgID)
		s.mu.Unlock()
	}()

	if err := s.sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return "", fmt.Errorf("send input_request: %w", err)
	}
	select {
	case v := <-reply:
		return v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-s.stopping:
		return "", errKernelStopped
	}
}

// deliver hands an input_reply to the ask waiting for it. A reply to nothing
// (the cell was interrupted meanwhile) is logged and dropped.
func (s *stdinChannel) deliver(msg Message) error {
	var parent struct {
		MsgID string `json:"msg_id"`
	}
	if err := json.Unmarshal(msg.ParentHeader, &parent); err != nil || parent.MsgID == "" {
		return errors.New("input_reply without a parent input_request")
	}
	var c inputReplyContent
	if err := json.Unmarshal(msg.Content, &c); err != nil {
		return fmt.Errorf("bad input_reply content: %w", err)
	}
	s.mu.Lock()
	reply, ok := s.pending[parent.MsgID]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("input_reply to %s, which is not waiting (interrupted?)", parent.MsgID)
	}
	select {
	case reply <- c.Value:
	default: // a duplicate reply; the first one counts
	}
	return nil
}
