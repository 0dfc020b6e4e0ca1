package kernel

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const sampleConnection = `{
  "shell_port": 53794, "iopub_port": 53795, "stdin_port": 53796,
  "control_port": 53797, "hb_port": 53798,
  "ip": "127.0.0.1", "key": "a0436f6c-1916-498b-8eb9-e81ab9368e84",
  "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "gomp"
}`

func TestReadConnectionFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernel-1.json")
	if err := os.WriteFile(path, []byte(sampleConnection), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := ReadConnectionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 53794, ControlPort: 53797,
		StdinPort: 53796, IOPubPort: 53795, HBPort: 53798, Key: "a0436f6c-1916-498b-8eb9-e81ab9368e84",
		SignatureScheme: "hmac-sha256", KernelName: "gomp"}
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}

	_, err = ReadConnectionFile(filepath.Join(t.TempDir(), "missing.json"))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseConnectionDefaults(t *testing.T) {
	c, err := ParseConnection([]byte(`{"ip":"127.0.0.1","key":"","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Transport != "tcp" || c.SignatureScheme != "hmac-sha256" || c.Key != "" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestParseConnectionErrors(t *testing.T) {
	cases := map[string]struct{ json, want string }{
		"not json":       {`{`, "not a JSON object"},
		"array":          {`[]`, "not a JSON object"},
		"null":           {`null`, "not a JSON object"},
		"missing port":   {`{"ip":"1.2.3.4","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4}`, "missing hb_port"},
		"null port":      {`{"ip":"1.2.3.4","shell_port":null,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, "missing shell_port"},
		"string port":    {`{"ip":"1.2.3.4","shell_port":"1","iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, "shell_port must be a number"},
		"port too big":   {`{"ip":"1.2.3.4","shell_port":70000,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, "not a port number"},
		"negative port":  {`{"ip":"1.2.3.4","shell_port":-1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, "not a port number"},
		"fraction port":  {`{"ip":"1.2.3.4","shell_port":1.5,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, "not a port number"},
		"bad transport":  {`{"transport":"udp","ip":"1.2.3.4","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, `unsupported transport "udp"`},
		"bad scheme":     {`{"signature_scheme":"hmac-md5","ip":"1.2.3.4","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, `unsupported signature_scheme "hmac-md5"`},
		"missing ip":     {`{"shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, "missing ip"},
		"key not string": {`{"key":1,"ip":"1.2.3.4","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`, "key must be a string"},
	}
	for name, c := range cases {
		_, err := ParseConnection([]byte(c.json))
		if !errors.Is(err, ErrBadConnection) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an ErrBadConnection saying %q", name, err, c.want)
		}
	}
}

func TestEndpoints(t *testing.T) {
	c := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 1, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5}
	for channel, want := range map[string]string{
		"shell": "tcp://127.0.0.1:1", "control": "tcp://127.0.0.1:2", "stdin": "tcp://127.0.0.1:3",
		"iopub": "tcp://127.0.0.1:4", "hb": "tcp://127.0.0.1:5",
	} {
		if got, err := c.Endpoint(channel); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", channel, got, err, want)
		}
	}
	c.IP = "::1"
	if got, _ := c.Endpoint("shell"); got != "tcp://[::1]:1" {
		t.Errorf("ipv6: %q", got)
	}
	// ipc endpoints are named as jupyter_client names the files: ip-port.
	c = ConnectionInfo{Transport: "ipc", IP: "/run/user/1/kernel-ipc", HBPort: 5}
	if got, _ := c.Endpoint("hb"); got != "ipc:///run/user/1/kernel-ipc-5" {
		t.Errorf("ipc: %q", got)
	}
	if _, err := c.Endpoint("bogus"); err == nil {
		t.Error("unknown channel accepted")
	}
}

func TestListenRemovesStaleIPCSocket(t *testing.T) {
	dir := t.TempDir()
	conn := ConnectionInfo{Transport: "ipc", IP: filepath.Join(dir, "k"), SignatureScheme: schemeHMACSHA256,
		ShellPort: 1, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5}
	k, err := Listen(conn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Listening again on the same files stands for a kernel restarted after
	// a crash that left them behind.
	k2, err := Listen(conn, Options{})
	if err != nil {
		t.Fatalf("second Listen: %v", err)
	}
	k2.Close()
	k.Close()

	// A regular file in the way is not removed.
	if err := os.WriteFile(filepath.Join(dir, "k-1"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if k3, err := Listen(conn, Options{}); err == nil {
		k3.Close()
		t.Error("Listen removed a regular file")
	}
	checkNoKernelGoroutines(t)
}

func FuzzParseConnection(f *testing.F) {
	f.Add([]byte(sampleConnection))
	f.Add([]byte(`{"transport":"ipc","ip":"/tmp/k","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5}`))
	f.Add([]byte(`{"shell_port":1e3}`))
	f.Add([]byte(`{"shell_port":99999999999999999999999}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConnection(data)
		if err != nil {
			if !errors.Is(err, ErrBadConnection) {
				t.Fatalf("error %v does not wrap ErrBadConnection", err)
			}
			return
		}
		// Whatever parses makes well-formed endpoints.
		for _, ch := range []string{"shell", "control", "stdin", "iopub", "hb"} {
			ep, err := c.Endpoint(ch)
			if err != nil || !(strings.HasPrefix(ep, "tcp://") || strings.HasPrefix(ep, "ipc://")) {
				t.Fatalf("endpoint %q, %v for %+v", ep, err, c)
			}
		}
	})
}

// What is not a small regular file is refused with an error that says what
// it is, at once: /dev/zero is not read without end, a FIFO with no writer
// is not waited on.
func TestReadConnectionFileRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: a gigabyte that takes no disk.
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cases := map[string]string{
		"/dev/zero": "a character device",
		fifo:        "a FIFO",
		dir:         "a directory",
		huge:        "more than the 65536",
	}
	for path, want := range cases {
		_, err := ReadConnectionFile(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error saying %q", path, err, want)
		}
	}
}
