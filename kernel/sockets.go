package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"os"
	"strings"
)

// sockets are the five ZeroMQ sockets of a kernel, bound and listening, all
// of this package's own (routersocket.go and pubsocket.go say why not
// zmq4's).
//
// Shell, control and stdin are ROUTER sockets: each incoming message carries
// the identity of the client that sent it, and a reply is routed back by it.
// The heartbeat is a ROUTER too, echoing every message back to its sender:
// jupyter_client pings with a REQ socket, which a ROUTER serves (the REQ's
// empty delimiter frame travels in the echoed frames), and a ROUTER also
// serves DEALER pingers that send no delimiter. ipykernel made the same move
// from REP to ROUTER. IOPub is a PUB socket.
type sockets struct {
	shell, control, stdin, hb *routerSocket
	iopub                     *pubSocket
	// spare is the request sockets' buffer for a large frame (admission.go).
	spare *spareBuffer
	// bound is the connection info with the ports actually bound, which
	// differ from the requested ones when those were 0.
	bound ConnectionInfo
}

// bindSockets creates and binds every socket of conn; welcome makes the
// message iopub sends each new subscription. On error, the sockets already
// bound are closed.
func bindSockets(conn ConnectionInfo, logger *log.Logger, welcome func(topic string) [][]byte) (*sockets, error) {
	if err := conn.validate(); err != nil {
		return nil, err
	}
	s := &sockets{bound: conn, spare: new(spareBuffer)}
	// One budget for what every request socket holds unverified.
	budget := newByteBudget(unverifiedBudget)
	for _, b := range []struct {
		channel string
		sock    **routerSocket
	}{
		{channelShell, &s.shell},
		{channelControl, &s.control},
		{channelStdin, &s.stdin},
		{channelHB, &s.hb},
	} {
		err := listen(conn, b.channel, func(ep string) (net.Addr, error) {
			r, err := listenRouter(ep, b.channel, logger, socketTimeouts{}, budget, s.spare)
			if err != nil {
				return nil, err
			}
			*b.sock = r
			return r.Addr(), nil
		}, &s.bound)
		if err != nil {
			s.closeAll()
			return nil, err
		}
	}
	err := listen(conn, channelIOPub, func(ep string) (net.Addr, error) {
		pub, err := listenPub(ep, logger, socketTimeouts{}, welcome)
		if err != nil {
			return nil, err
		}
		s.iopub = pub
		return pub.Addr(), nil
	}, &s.bound)
	if err != nil {
		s.closeAll()
		return nil, err
	}
	return s, nil
}

// listen binds the socket of channel with bind and records the port bound
// in bound (it differs from the requested one when that was 0).
func listen(conn ConnectionInfo, channel string, bind func(endpoint string) (net.Addr, error), bound *ConnectionInfo) error {
	ep, err := conn.Endpoint(channel)
	if err != nil {
		return err
	}
	if path, ok := strings.CutPrefix(ep, "ipc://"); ok {
		if err := removeStaleSocket(path); err != nil {
			return fmt.Errorf("bind %s socket: %w", channel, err)
		}
	}
	addr, err := bind(ep)
	if err != nil {
		return fmt.Errorf("bind %s socket to %s: %w", channel, ep, err)
	}
	if tcp, ok := addr.(*net.TCPAddr); ok {
		bound.setPort(channel, tcp.Port)
	}
	return nil
}

// removeStaleSocket deletes a unix socket file left by a kernel that died
// without cleaning up. libzmq unlinks such a file before binding, and
// jupyter_client relies on that; Go's net.Listen fails with "address already
// in use" instead. Only sockets are removed, never a regular file.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	return os.Remove(path)
}

// closeRouters closes the request sockets, which ends their reader loops.
func (s *sockets) closeRouters() {
	for _, sock := range []*routerSocket{s.shell, s.control, s.stdin, s.hb} {
		if sock != nil {
			_ = sock.Close() // errors here are about connections already gone
		}
	}
}

func (s *sockets) closeAll() {
	s.closeRouters()
	if s.iopub != nil {
		_ = s.iopub.Close()
	}
}
