package kernel

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// lateSubscriber connects a zmq4 SUB socket to the kernel's iopub with one
// subscription, and decodes (verifying signatures) what it receives.
func lateSubscriber(t *testing.T, h *harness, topic string) chan Message {
	t.Helper()
	ep, err := h.k.ConnectionInfo().Endpoint(channelIOPub)
	if err != nil {
		t.Fatal(err)
	}
	sub := zmq4.NewSub(context.Background())
	if err := sub.Dial(ep); err != nil {
		t.Fatal(err)
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, topic); err != nil {
		t.Fatal(err)
	}
	auth := NewAuthenticator(h.k.ConnectionInfo().Key) // its own record of signatures seen
	in := make(chan Message, 100)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			zm, err := sub.Recv()
			if err != nil {
				return
			}
			m, err := DecodeMessage(zm.Frames, auth)
			if err != nil {
				t.Errorf("late subscriber got an undecodable message: %v", err)
				continue
			}
			m.Identities = zm.Frames[:1]
			select {
			case in <- m:
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		sub.Close()
		<-done
	})
	return in
}

// A subscriber that joins a running kernel gets an iopub_welcome as its
// first message, at once and without sending any request, while the
// subscribers already there get nothing new; then it gets what is published
// like everyone else.
func TestIOPubWelcomesOnlyTheNewSubscriber(t *testing.T) {
	h := startKernel(t, harnessOptions{})
	for _, topic := range []string{"", "kernel."} {
		late := lateSubscriber(t, h, topic)
		m := h.c.recv(late, "iopub_welcome")
		if m.Header.MsgType != "iopub_welcome" {
			t.Fatalf("subscription %q: first message %s, want iopub_welcome", topic, m.Header.MsgType)
		}
		if got := contentField(t, m, "subscription"); got != topic {
			t.Errorf("welcome's subscription %q, want %q", got, topic)
		}
		if string(m.ParentHeader) != "{}" {
			t.Errorf("welcome's parent header %s, want {}", m.ParentHeader)
		}
		if m.Header.Session != h.k.session {
			t.Errorf("welcome's session %q, want the kernel's %q", m.Header.Session, h.k.session)
		}
		wantTopic := topic
		if topic == "" {
			wantTopic = "kernel." + h.k.session + ".iopub_welcome"
		}
		if string(m.Identities[0]) != wantTopic {
			t.Errorf("welcome's topic frame %q, want %q", m.Identities[0], wantTopic)
		}

		// The client that was there first: its next messages are the cell's
		// (outputs fails on a message with another parent, as a welcome has).
		id := h.c.execute("print a", nil)
		h.c.reply(h.c.shellIn, id, "execute_reply")
		if got := msgTypes(h.c.outputs(id)); got != "status:busy execute_input stream status:idle" {
			t.Errorf("first client's iopub: %s", got)
		}
		// The newcomer gets the cell too.
		for {
			m := h.c.recv(late, "the cell's idle on the late subscriber")
			if m.Header.MsgType == "iopub_welcome" {
				t.Fatalf("a second welcome for one subscription %q", topic)
			}
			if parentID(m) == id && m.Header.MsgType == "status" && contentField(t, m, "execution_state") == "idle" {
				break
			}
		}
	}
}

// The welcome is queued ahead of whatever is published for the new topic,
// and a subscription that is not UTF-8 gets none (JEP 65).
func TestPubWelcomeComesFirstAndNeedsUTF8(t *testing.T) {
	var welcomed []string
	welcome := func(topic string) [][]byte {
		welcomed = append(welcomed, topic) // only serve's goroutine calls it
		return [][]byte{[]byte(topic), []byte("welcome")}
	}
	p, err := listenPub("tcp://127.0.0.1:0", log.New(io.Discard, "", 0), socketTimeouts{}, welcome)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		checkNoKernelGoroutines(t)
	})
	sub := zmq4.NewSub(context.Background())
	defer sub.Close()
	if err := sub.Dial(pubEndpoint(p)); err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{"\xff\xfe", "t"} {
		if err := sub.SetOption(zmq4.OptionSubscribe, topic); err != nil {
			t.Fatal(err)
		}
	}
	// Publish for "t" as fast as possible while the subscription travels:
	// the first message the subscriber gets must still be the welcome.
	got := make(chan zmq4.Msg, 1)
	go func() {
		m, err := sub.Recv()
		if err == nil {
			got <- m
		}
		close(got)
	}()
	deadline := time.After(waitLimit)
	for {
		select {
		case m, ok := <-got:
			if !ok {
				t.Fatal("the subscriber's socket closed")
			}
			if len(m.Frames) != 2 || string(m.Frames[0]) != "t" || string(m.Frames[1]) != "welcome" {
				t.Fatalf("first message %q, want the welcome for \"t\"", m.Frames)
			}
			p.Close() // serve has returned: welcomed may be read
			b, _ := json.Marshal(welcomed)
			if string(b) != `["t"]` {
				t.Errorf("welcomed %s, want only the UTF-8 topic", b)
			}
			return
		case <-deadline:
			t.Fatal("no welcome")
		default:
			p.Send([][]byte{[]byte("t"), []byte("data")})
		}
	}
}
