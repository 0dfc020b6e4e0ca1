package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func testMessage() Message {
	return Message{
		Identities:   [][]byte{[]byte("client-1"), []byte("route-2")},
		Header:       newHeader("execute_request", "sess"),
		ParentHeader: json.RawMessage(`{"msg_id":"p1"}`),
		Metadata:     json.RawMessage(`{"cellId":"c"}`),
		Content:      json.RawMessage(`{"code":"1+1"}`),
		Buffers:      [][]byte{{0, 1, 2}, {}},
	}
}

func TestWireRoundTrip(t *testing.T) {
	auth := NewAuthenticator("key")
	in := testMessage()
	frames, err := EncodeMessage(in, auth)
	if err != nil {
		t.Fatal(err)
	}
	// identities, delimiter, signature, 4 JSON parts, 2 buffers
	if len(frames) != 2+1+1+4+2 || !bytes.Equal(frames[2], delimiter) {
		t.Fatalf("frames %q", frames)
	}
	if len(frames[3]) != 64 {
		t.Errorf("signature %q is not hex sha256", frames[3])
	}
	out, err := DecodeMessage(frames, NewAuthenticator("key"))
	if err != nil {
		t.Fatal(err)
	}
	if out.Header != in.Header {
		t.Errorf("header %+v, want %+v", out.Header, in.Header)
	}
	if len(out.Identities) != 2 || string(out.Identities[1]) != "route-2" {
		t.Errorf("identities %q", out.Identities)
	}
	if string(out.ParentHeader) != string(in.ParentHeader) || string(out.Metadata) != string(in.Metadata) ||
		string(out.Content) != string(in.Content) {
		t.Errorf("parts %s %s %s", out.ParentHeader, out.Metadata, out.Content)
	}
	if len(out.Buffers) != 2 || !bytes.Equal(out.Buffers[0], []byte{0, 1, 2}) || len(out.Buffers[1]) != 0 {
		t.Errorf("buffers %q", out.Buffers)
	}
	if !bytes.Equal(out.RawHeader, frames[4]) {
		t.Errorf("raw header not kept as received")
	}
}

// The signature covers exactly header, parent, metadata and content, as
// jupyter_client computes it: buffers are not signed.
func TestSignatureCoversTheFourJSONParts(t *testing.T) {
	auth := NewAuthenticator("key")
	frames, _ := EncodeMessage(testMessage(), auth)
	sigAt := 3
	want := auth.Sign(frames[sigAt+1 : sigAt+5])
	if !bytes.Equal(frames[sigAt], want) {
		t.Fatalf("signature %s, want %s", frames[sigAt], want)
	}

	// Changing a buffer keeps the message valid.
	changed := append([][]byte(nil), frames...)
	changed[len(changed)-2] = []byte("other")
	if _, err := DecodeMessage(changed, NewAuthenticator("key")); err != nil {
		t.Errorf("changed buffer: %v", err)
	}
	// Changing any signed part does not.
	for i := sigAt + 1; i < sigAt+5; i++ {
		tampered := append([][]byte(nil), frames...)
		tampered[i] = []byte(`{"msg_id":"x","msg_type":"execute_request"}`)
		if _, err := DecodeMessage(tampered, NewAuthenticator("key")); !errors.Is(err, ErrBadSignature) {
			t.Errorf("tampered frame %d: %v, want ErrBadSignature", i, err)
		}
	}
}

func TestWrongKeyRejected(t *testing.T) {
	frames, _ := EncodeMessage(testMessage(), NewAuthenticator("key"))
	if _, err := DecodeMessage(frames, NewAuthenticator("other")); !errors.Is(err, ErrBadSignature) {
		t.Errorf("got %v, want ErrBadSignature", err)
	}
}

func TestMissingSignatureRejected(t *testing.T) {
	frames, _ := EncodeMessage(testMessage(), nil)
	if len(frames[3]) != 0 {
		t.Fatalf("unsigned message has signature %q", frames[3])
	}
	if _, err := DecodeMessage(frames, NewAuthenticator("key")); !errors.Is(err, ErrMissingSignature) {
		t.Errorf("got %v, want ErrMissingSignature", err)
	}
	frames[3] = []byte("zz-not-hex")
	if _, err := DecodeMessage(frames, NewAuthenticator("key")); !errors.Is(err, ErrBadSignature) {
		t.Errorf("got %v, want ErrBadSignature", err)
	}
}

// With an empty key, as the spec says, nothing is signed or checked.
func TestEmptyKeyDisablesSigning(t *testing.T) {
	auth := NewAuthenticator("")
	frames, _ := EncodeMessage(testMessage(), auth)
	if len(frames[3]) != 0 {
		t.Errorf("signed with an empty key: %q", frames[3])
	}
	frames[3] = []byte("anything")
	if _, err := DecodeMessage(frames, auth); err != nil {
		t.Errorf("empty key: %v", err)
	}
}

func TestReplayRejected(t *testing.T) {
	auth := NewAuthenticator("key")
	frames, _ := EncodeMessage(testMessage(), auth)
	if _, err := DecodeMessage(frames, auth); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeMessage(frames, auth); !errors.Is(err, ErrReplayed) {
		t.Errorf("replay: %v, want ErrReplayed", err)
	}
}

func TestDigestHistoryIsBounded(t *testing.T) {
	auth := NewAuthenticator("key")
	auth.maxSeen = 100
	first, _ := EncodeMessage(testMessage(), auth)
	if _, err := DecodeMessage(first, auth); err != nil {
		t.Fatal(err)
	}
	for range 150 {
		f, _ := EncodeMessage(testMessage(), auth) // a fresh msg_id each time
		if _, err := DecodeMessage(f, auth); err != nil {
			t.Fatal(err)
		}
	}
	if len(auth.seen) > 100 || len(auth.order) != len(auth.seen) {
		t.Errorf("history holds %d (order %d), limit 100", len(auth.seen), len(auth.order))
	}
}

func TestDecodeMalformed(t *testing.T) {
	auth := NewAuthenticator("key")
	good, _ := EncodeMessage(testMessage(), NewAuthenticator("key"))
	cases := map[string]struct {
		frames [][]byte
		want   error
	}{
		"empty":        {nil, ErrNoDelimiter},
		"no delimiter": {[][]byte{[]byte("a"), []byte("b")}, ErrNoDelimiter},
		"too few":      {good[:6], ErrTooFewFrames},
	}
	for name, c := range cases {
		if _, err := DecodeMessage(c.frames, auth); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}

	// Bad headers are rejected even with a valid signature.
	for name, header := range map[string]string{
		"not json":    `{`,
		"no msg_type": `{"msg_id":"1"}`,
		"no msg_id":   `{"msg_type":"x"}`,
		"array":       `[]`,
	} {
		parts := [][]byte{[]byte(header), []byte("{}"), []byte("{}"), []byte("{}")}
		frames := append([][]byte{delimiter, auth.Sign(parts)}, parts...)
		if _, err := DecodeMessage(frames, auth); !errors.Is(err, ErrBadHeader) {
			t.Errorf("%s: %v, want ErrBadHeader", name, err)
		}
	}

	// A bad parent header or metadata is replaced by {}; the content is
	// kept for the handler to refuse with an error reply.
	parts := [][]byte{[]byte(`{"msg_id":"1","msg_type":"x"}`), []byte("null"), []byte("garbage"), []byte("[1]")}
	frames := append([][]byte{delimiter, auth.Sign(parts)}, parts...)
	m, err := DecodeMessage(frames, auth)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.ParentHeader) != "{}" || string(m.Metadata) != "{}" || string(m.Content) != "[1]" {
		t.Errorf("parts %s %s %s", m.ParentHeader, m.Metadata, m.Content)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	auth := NewAuthenticator("fuzz-key")
	join := func(frames [][]byte) []byte { return bytes.Join(frames, []byte{0xff}) }
	good, _ := EncodeMessage(testMessage(), auth)
	f.Add(join(good), "fuzz-key")
	f.Add(join(good), "")
	f.Add(join(good), "other")
	unsigned, _ := EncodeMessage(testMessage(), nil)
	f.Add(join(unsigned), "")
	f.Add([]byte("<IDS|MSG>"), "k")
	f.Add([]byte("<IDS|MSG>\xff\xff{}\xff{}\xff{}\xff{}"), "")
	f.Add([]byte(`<IDS|MSG>`+"\xff\xff"+`{"msg_id":"1","msg_type":"t"}`+"\xff{}\xff{}\xff{}"), "")
	f.Add([]byte{}, "")
	// Routing identities, and a header after white space: the kernel's
	// admission rule (headArrived) must take both.
	f.Add([]byte("id1\xffid2\xff<IDS|MSG>\xff\xff \n\t{\"msg_id\":\"1\",\"msg_type\":\"t\"}\xff{}\xff{}\xff{}"), "")

	f.Fuzz(func(t *testing.T, data []byte, key string) {
		// Frames are separated by 0xff, a byte valid JSON never contains.
		frames := bytes.Split(data, []byte{0xff})
		a := NewAuthenticator(key)
		msg, err := DecodeMessage(frames, a)
		// The kernel's own path, which keeps the frames, decides alike.
		owned := make([][]byte, len(frames))
		for i, fr := range frames {
			owned[i] = bytes.Clone(fr)
		}
		msgOwned, errOwned := decodeMessage(owned, NewAuthenticator(key), false)
		if (err == nil) != (errOwned == nil) || (err == nil && msgOwned.Header != msg.Header) {
			t.Fatalf("DecodeMessage: %v; decodeMessage keeping the frames: %v", err, errOwned)
		}
		if err != nil {
			return
		}
		// Every message accepted has a head that admission lets a large
		// frame follow: the rule never refuses a real client's message.
		d := len(msg.Identities)
		if !headArrived(frames[:d+3]) {
			t.Fatalf("a valid message's head was refused: %q", frames[:d+3])
		}
		if msg.Header.MsgType == "" || msg.Header.MsgID == "" {
			t.Fatalf("accepted a header without type or id: %s", msg.RawHeader)
		}
		// What decodes re-encodes, and decodes again to the same message.
		again, err := EncodeMessage(msg, a)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		b := NewAuthenticator(key)
		msg2, err := DecodeMessage(again, b)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if msg2.Header != msg.Header || !bytes.Equal(msg2.Content, orEmptyObject(msg.Content)) {
			t.Fatalf("round trip changed the message")
		}
	})
}
