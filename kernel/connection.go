package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strconv"
	"syscall"
)

// ConnectionInfo is a Jupyter connection file: where the five sockets live and
// the key that signs every message. The launcher (jupyter_client) writes it and
// passes its path on the command line.
type ConnectionInfo struct {
	Transport       string `json:"transport"` // "tcp" or "ipc"
	IP              string `json:"ip"`        // an address for tcp, a path prefix for ipc
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`              // empty: messages are not signed
	SignatureScheme string `json:"signature_scheme"` // only "hmac-sha256"
	KernelName      string `json:"kernel_name,omitempty"`
}

// The channels of a kernel, named as the connection file names their ports.
const (
	channelShell   = "shell"
	channelControl = "control"
	channelStdin   = "stdin"
	channelIOPub   = "iopub"
	channelHB      = "hb"
)

// schemeHMACSHA256 is the only signature scheme gomp implements. It is the
// default of jupyter_client and what every launcher writes in practice.
const schemeHMACSHA256 = "hmac-sha256"

// ErrBadConnection is wrapped by every error about a malformed connection file,
// so a caller can tell "the file is wrong" from "the file is unreadable".
var ErrBadConnection = errors.New("invalid connection file")

// maxConnectionFile bounds a connection file: jupyter_client writes about
// 300 bytes.
const maxConnectionFile = 64 << 10

// ReadConnectionFile reads and validates the connection file at path. Only a
// regular file of at most 64 KiB is read: a path naming /dev/zero, a FIFO or
// a directory is refused at once, never read without end or waited on.
func ReadConnectionFile(path string) (ConnectionInfo, error) {
	data, err := readSmallFile(path, maxConnectionFile)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("read connection file: %w", err)
	}
	info, err := ParseConnection(data)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("connection file %s: %w", path, err)
	}
	return info, nil
}

// ParseConnection decodes and validates a connection file's JSON. A missing
// transport means tcp and a missing signature_scheme means hmac-sha256, as in
// jupyter_client; a missing port, an unknown transport or scheme, or a value of
// the wrong type is an error wrapping ErrBadConnection.
func ParseConnection(data []byte) (ConnectionInfo, error) {
	// Decode into raw fields first so that "missing" and "zero" can be told
	// apart: port 0 is allowed (bind to any free port), a missing port is not.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return ConnectionInfo{}, fmt.Errorf("%w: not a JSON object: %v", ErrBadConnection, err)
	}
	if raw == nil {
		return ConnectionInfo{}, fmt.Errorf("%w: not a JSON object", ErrBadConnection)
	}

	var info ConnectionInfo
	var err error
	str := func(name string, dst *string) {
		if err != nil {
			return
		}
		v, ok := raw[name]
		if !ok || bytes.Equal(v, []byte("null")) {
			return
		}
		if e := json.Unmarshal(v, dst); e != nil {
			err = fmt.Errorf("%w: %s must be a string", ErrBadConnection, name)
		}
	}
	port := func(channel string, dst *int) {
		if err != nil {
			return
		}
		name := channel + "_port"
		v, ok := raw[name]
		if !ok || bytes.Equal(v, []byte("null")) {
			err = fmt.Errorf("%w: missing %s", ErrBadConnection, name)
			return
		}
		// Decoding into any (with UseNumber) rather than json.Number, which
		// would also accept a quoted "1".
		var x any
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		if e := dec.Decode(&x); e != nil {
			x = nil
		}
		n, ok := x.(json.Number)
		if !ok {
			err = fmt.Errorf("%w: %s must be a number", ErrBadConnection, name)
			return
		}
		p, e := strconv.Atoi(n.String())
		if e != nil || p < 0 || p > 65535 {
			err = fmt.Errorf("%w: %s %s is not a port number", ErrBadConnection, name, n)
			return
		}
		*dst = p
	}

	str("transport", &info.Transport)
	str("ip", &info.IP)
	str("key", &info.Key)
	str("signature_scheme", &info.SignatureScheme)
	str("kernel_name", &info.KernelName)
	port(channelShell, &info.ShellPort)
	port(channelControl, &info.ControlPort)
	port(channelStdin, &info.StdinPort)
	port(channelIOPub, &info.IOPubPort)
	port(channelHB, &info.HBPort)
	if err != nil {
		return ConnectionInfo{}, err
	}

	if info.Transport == "" {
		info.Transport = "tcp"
	}
	if info.SignatureScheme == "" {
		info.SignatureScheme = schemeHMACSHA256
	}
	if err := info.validate(); err != nil {
		return ConnectionInfo{}, err
	}
	return info, nil
}

// validate checks what ParseConnection cannot check field by field.
func (c ConnectionInfo) validate() error {
	switch c.Transport {
	case "tcp":
		if c.IP == "" {
			return fmt.Errorf("%w: missing ip", ErrBadConnection)
		}
	case "ipc":
		// For ipc, "ip" is a path prefix; each socket is the file "<ip>-<port>".
		if c.IP == "" {
			return fmt.Errorf("%w: missing ip (the ipc path prefix)", ErrBadConnection)
		}
	default:
		return fmt.Errorf("%w: unsupported transport %q (want tcp or ipc)", ErrBadConnection, c.Transport)
	}
	if c.SignatureScheme != schemeHMACSHA256 {
		return fmt.Errorf("%w: unsupported signature_scheme %q (only %s is implemented)",
			ErrBadConnection, c.SignatureScheme, schemeHMACSHA256)
	}
	return nil
}

// Endpoint is the ZeroMQ address of one channel ("shell", "control", "stdin",
// "iopub" or "hb"), spelled as jupyter_client spells it: tcp://ip:port, or
// ipc://ip-port for the ipc transport.
func (c ConnectionInfo) Endpoint(channel string) (string, error) {
	port, err := c.port(channel)
	if err != nil {
		return "", err
	}
	switch c.Transport {
	case "tcp":
		// JoinHostPort brackets IPv6 addresses, which Go's net package
		// needs.
		return "tcp://" + net.JoinHostPort(c.IP, strconv.Itoa(port)), nil
	case "ipc":
		return "ipc://" + c.IP + "-" + strconv.Itoa(port), nil
	default:
		return "", fmt.Errorf("%w: unsupported transport %q", ErrBadConnection, c.Transport)
	}
}

func (c ConnectionInfo) port(channel string) (int, error) {
	switch channel {
	case channelShell:
		return c.ShellPort, nil
	case channelControl:
		return c.ControlPort, nil
	case channelStdin:
		return c.StdinPort, nil
	case channelIOPub:
		return c.IOPubPort, nil
	case channelHB:
		return c.HBPort, nil
	}
	return 0, fmt.Errorf("unknown channel %q", channel)
}

// readSmallFile reads the regular file at path, refusing anything else and
// anything over limit bytes. It opens without blocking, so that a FIFO with
// no writer does not hang the open, and checks the opened file (not the path,
// which could be swapped in between).
func readSmallFile(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, fileKind(fi.Mode()))
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d a connection file may have", path, fi.Size(), limit)
	}
	// The file may grow after the Stat: read one byte past the limit to
	// tell.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s has more than the %d bytes a connection file may have", path, limit)
	}
	return data, nil
}

// fileKind names what a non-regular file is, for an error message.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + m.String()
}

func (c *ConnectionInfo) setPort(channel string, port int) {
	switch channel {
	case channelShell:
		c.ShellPort = port
	case channelControl:
		c.ControlPort = port
	case channelStdin:
		c.StdinPort = port
	case channelIOPub:
		c.IOPubPort = port
	case channelHB:
		c.HBPort = port
	}
}
