package kernel

import (
	"encoding/json"
	"io"
	"log"
	"testing"
)

// inputReply builds an input_reply as the stdin reader decodes it; parentID
// "" gives an empty parent header, as jupyter_client's input() sends it.
func inputReply(t *testing.T, parentID, value string) Message {
	t.Helper()
	parent := emptyObject
	if parentID != "" {
		parent, _ = json.Marshal(map[string]string{"msg_id": parentID, "msg_type": "input_request"})
	}
	content, _ := json.Marshal(inputReplyContent{Value: value})
	return Message{Header: newHeader("input_reply", "client"), ParentHeader: parent, Content: content}
}

func received(p *pendingInput) (string, bool) {
	select {
	case v := <-p.value:
		return v, true
	default:
		return "", false
	}
}

// Replies are matched by their parent's msg_id; one without a parent goes
// to the oldest waiting request; each request gets one answer.
func TestStdinDeliverMatching(t *testing.T) {
	s := newStdinChannel(nil, nil, "k", nil, log.New(io.Discard, "", 0))
	a, b, c := s.await("a"), s.await("b"), s.await("c")

	if err := s.deliver(inputReply(t, "b", "to b")); err != nil {
		t.Fatal(err)
	}
	if v, ok := received(b); !ok || v != "to b" {
		t.Errorf("b got %q, %v", v, ok)
	}
	if err := s.deliver(inputReply(t, "b", "again")); err == nil {
		t.Error("a second reply to b was accepted")
	}
	// Without a parent: the oldest, a; then c.
	for _, want := range []*pendingInput{a, c} {
		if err := s.deliver(inputReply(t, "", "parentless")); err != nil {
			t.Fatal(err)
		}
		if v, ok := received(want); !ok || v != "parentless" {
			t.Errorf("%s got %q, %v", want.msgID, v, ok)
		}
	}
	if err := s.deliver(inputReply(t, "", "nobody")); err == nil {
		t.Error("a parentless reply with nothing waiting was accepted")
	}
	if err := s.deliver(inputReply(t, "zzz", "unknown")); err == nil {
		t.Error("a reply to an unknown request was accepted")
	}

	// An ask that gave up is no longer answered.
	d, e := s.await("d"), s.await("e")
	s.forget(d)
	if err := s.deliver(inputReply(t, "", "x")); err != nil {
		t.Fatal(err)
	}
	if _, ok := received(d); ok {
		t.Error("a forgotten request got a reply")
	}
	if _, ok := received(e); !ok {
		t.Error("the remaining request got no reply")
	}
	s.forget(e) // already delivered: a no-op
	if len(s.pending) != 0 {
		t.Errorf("%d requests still pending", len(s.pending))
	}
}
