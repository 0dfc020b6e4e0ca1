package codec

import (
	"reflect"
	"strings"
	"testing"
)

type job struct {
	Name    string
	Results *Queue
	Inbox   Queue // held by value: still a reference
	Spare   *Queue
}

func TestSharedObjectsAreReferencedNotCopied(t *testing.T) {
	w := newWorld("a", nil)
	w.names[reflect.TypeFor[job]()], w.types["job"] = "job", reflect.TypeFor[job]()
	// The receiving process's handles for the same objects.
	here := queues{1: {ID: 1}, 2: {ID: 2}}
	dec := DecodeOptions{Resolver: w, Shared: here}

	sent := &Queue{ID: 1}
	b, err := Encode(job{Name: "j", Results: sent, Inbox: Queue{ID: 2}}, w.enc())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b, dec)
	if err != nil {
		t.Fatal(err)
	}
	j := got.(job)
	if j.Results != here[1] || j.Inbox != *here[2] || j.Spare != nil || j.Name != "j" {
		t.Errorf("job came back as %+v", j)
	}
	// At the top level, in an []any, in a map.
	b, err = Encode([]any{sent, map[string]*Queue{"q": sent}}, w.enc())
	if err != nil {
		t.Fatal(err)
	}
	got, err = Decode(b, dec)
	if err != nil {
		t.Fatal(err)
	}
	s := got.([]any)
	if s[0] != here[1] || s[1].(map[string]*Queue)["q"] != here[1] {
		t.Errorf("came back as %v", s)
	}
	b, _ = Encode(sent, EncodeOptions{}) // no namer needed for shared objects
	if got, err := Decode(b, dec); err != nil || got != here[1] {
		t.Errorf("top level: %v, %v", got, err)
	}

	// Without a SharedResolver, or for an object the receiver lacks: errors.
	if _, err := Decode(b, DecodeOptions{}); err == nil || !strings.Contains(err.Error(), "SharedResolver") {
		t.Errorf("no resolver: %v", err)
	}
	b, _ = Encode(&Queue{ID: 9}, EncodeOptions{})
	if _, err := Decode(b, dec); err == nil || !strings.Contains(err.Error(), "no queue 9") {
		t.Errorf("unknown queue: %v", err)
	}
}
