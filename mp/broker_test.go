package mp

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
)

func TestChildReachesTheBroker(t *testing.T) {
	rec, _ := inCell(t)
	joined(t, NewProcess(brokerPing))
	if got, want := rec.text("stdout"), fmt.Sprintf("op=%d payload=hi err=<nil>\n", opPong); got != want {
		t.Errorf("child says %q, want %q", got, want)
	}
}

func TestBrokerRefusesAWrongToken(t *testing.T) {
	b, err := startBroker()
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if info, err := os.Stat(b.dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("broker directory mode %v (%v), want 0700", info.Mode().Perm(), err)
	}
	if _, err := dialBroker(brokerAddress{Path: b.addr.Path, Token: "not the token"}); err == nil {
		t.Error("a wrong token was let in")
	}
	c, err := dialBroker(b.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	reply, err := c.call(context.Background(), opPing, []byte("x"))
	if err != nil || reply.op != opPong || string(reply.payload) != "x" {
		t.Errorf("ping: %v %v", reply, err)
	}
	if _, err := c.call(context.Background(), 200, nil); err == nil {
		t.Error("an unknown operation did not fail")
	}
}

func TestBrokerCloseEndsConnectionsAndRemovesItsDirectory(t *testing.T) {
	b, err := startBroker()
	if err != nil {
		t.Fatal(err)
	}
	c, err := dialBroker(b.addr)
	if err != nil {
		t.Fatal(err)
	}
	b.close()
	if _, err := c.call(context.Background(), opPing, nil); err != errBrokerGone {
		t.Errorf("a call after the broker closed: %v, want errBrokerGone", err)
	}
	c.close()
	if _, err := os.Stat(b.dir); !os.IsNotExist(err) {
		t.Errorf("directory %s: %v", b.dir, err)
	}
	if _, err := net.Dial("unix", b.addr.Path); err == nil {
		t.Error("the socket still accepts connections")
	}
}
