package mp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Targets of the manager tests' children (listed in testTargets).

// managerCount adds 1 to d["count"] n times, each under l.
func managerCount(d *DictProxy, l *LockProxy, n int) {
	for range n {
		l.Lock()
		d.Set("count", d.Get("count").(int)+1)
		l.Unlock()
	}
}

// managerEcho sends back what comes in on the queue of xs[0], through the
// queue of xs[1], until "stop"; the proxies arrive inside a []any.
func managerEcho(xs []any) {
	in, out := xs[0].(*QueueProxy), xs[1].(*QueueProxy)
	for {
		v := in.Get()
		if v == "stop" {
			return
		}
		out.Put(v)
	}
}

// managerHoldLock takes the lock and keeps it until killed.
func managerHoldLock(l *LockProxy) {
	l.Lock()
	fmt.Println("holding the lock")
	time.Sleep(time.Hour)
}

// managerServe serves a manager on TCP, as `gomp manager` does, until it
// is terminated.
func managerServe(key string) {
	m := NewManager(Address("127.0.0.1:0"), AuthKey(key))
	fmt.Printf("serving at %s\n", m.Address())
	time.Sleep(time.Hour)
}

// managerRemote connects to a manager over TCP and counts in its dict
// "resultados" under its lock "cerrojo".
func managerRemote(addr, key string, n int) {
	c, err := ConnectManager(addr, key)
	if err != nil {
		fmt.Println("connect:", err)
		return
	}
	managerCount(c.Dict("resultados"), c.Lock("cerrojo"), n)
	fmt.Println("remote done")
}

// managerFromChild finds a dict by name on a Manager it got as an argument;
// its Shutdown there does nothing (the parent owns the manager).
func managerFromChild(m *Manager) {
	m.Dict("desde el hijo").Set("pid", os.Getpid())
	m.Shutdown()
}

// watchGoroutines returns a check that the goroutines started since are
// gone (polled: goroutines end a little after what ended them).
func watchGoroutines(t *testing.T) func() {
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func TestManagerObjectsKeepTypes(t *testing.T) {
	m := NewManager()
	defer m.Shutdown()

	d := m.Dict()
	d.Set("b", 2)
	d.Set(1, point{1, 2})
	d.Set("a", []int{1})
	d.Set("b", 3) // keeps its place
	if got := fmt.Sprint(d.Keys()); got != "[b 1 a]" {
		t.Errorf("Keys = %s", got)
	}
	if p, ok := d.Get(1).(point); !ok || p != (point{1, 2}) {
		t.Errorf("Get(1) = %#v", d.Get(1))
	}
	if _, ok := d.Lookup("zz"); ok || d.Get("zz") != nil || d.Contains("zz") || !d.Contains("a") {
		t.Error("a missing key is found")
	}
	d.Delete(1)
	if got := d.String(); got != "map[a:[1] b:3]" { // sorted, as fmt prints maps
		t.Errorf("String = %s", got)
	}
	d.Delete("a")
	d.Delete("a")
	if d.Len() != 1 {
		t.Errorf("Len = %d", d.Len())
	}
	if msg := mustPanic(t, func() { d.Set([]int{1}, 1) }); !strings.Contains(msg, "not comparable") {
		t.Errorf("a slice key: %s", msg)
	}

	l := m.List()
	l.Append("x")
	l.Append(2.5)
	l.Set(-1, int64(7))
	if got := fmt.Sprintf("%v %T %d", l.Items(), l.Get(1), l.Len()); got != "[x 7] int64 2" {
		t.Errorf("list: %s", got)
	}
	if msg := mustPanic(t, func() { l.Get(2) }); !strings.Contains(msg, "out of range") {
		t.Errorf("Get(2): %s", msg)
	}

	ns := m.Namespace()
	ns.Set("x", 1)
	ns.Set("y", "dos")
	if ns.Get("x") != 1 || ns.Get("nada") != nil || ns.String() != "Namespace(x=1, y=dos)" {
		t.Errorf("namespace: %v", ns)
	}

	v := m.Value(uint8(3))
	if got := fmt.Sprintf("%T %v", v.Get(), v); got != "uint8 3" {
		t.Errorf("value: %s", got)
	}
	v.Set("tres")
	if v.Get() != "tres" {
		t.Errorf("value after Set: %v", v)
	}

	q := m.Queue()
	if _, err := q.GetTimeout(0); !errors.Is(err, ErrEmpty) || !q.Empty() {
		t.Errorf("GetTimeout on an empty queue: %v", err)
	}
	q.Put(point{3, 4})
	q.Put(nil)
	if q.Qsize() != 2 || q.Get() != (point{3, 4}) || q.Get() != nil {
		t.Error("queue order or types")
	}

	// Named objects are found again, each kind in its own namespace.
	m.Dict("r").Set("k", 1)
	if m.Dict("r").Get("k") != 1 || m.List("r").Len() != 0 || m.Value(5, "r").Get() != 5 || m.Value(6, "r").Get() != 5 {
		t.Error("named objects")
	}
}

func TestManagerDictCountsFromChildren(t *testing.T) {
	inCell(t)
	m := NewManager()
	defer m.Shutdown()
	d, l := m.Dict(), m.Lock()
	d.Set("count", 0)
	var ps []*Process
	for range 3 {
		p := NewProcess(managerCount, d, l, 40)
		p.Start()
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.Join()
		if p.ExitCode() != 0 {
			t.Fatalf("%s exit %v", p.Name, p.ExitCode())
		}
	}
	if got := d.Get("count"); got != 120 {
		t.Errorf("count = %v, want 120", got)
	}
}

func TestManagerCrossesToChild(t *testing.T) {
	inCell(t)
	m := NewManager()
	defer m.Shutdown()
	p := NewProcess(managerFromChild, m)
	p.Start()
	p.Join()
	if got := m.Dict("desde el hijo").Get("pid"); got != p.Pid() || p.ExitCode() != 0 {
		t.Errorf("the child set pid %v (its pid %d, exit %v)", got, p.Pid(), p.ExitCode())
	}
	m.Dict().Len() // still serving
}

func TestManagerQueueThroughChild(t *testing.T) {
	inCell(t)
	m := NewManager()
	defer m.Shutdown()
	in, out := m.Queue(), m.Queue()
	p := NewProcess(managerEcho, []any{in, out})
	p.Start()
	in.Put(point{5, 6})
	in.Put(map[string]int{"a": 1})
	if v := out.Get(); v != (point{5, 6}) {
		t.Errorf("echoed %#v", v)
	}
	if v := out.Get(); fmt.Sprintf("%T %v", v, v) != "map[string]int map[a:1]" {
		t.Errorf("echoed %#v", v)
	}
	in.Put("stop")
	p.Join()
	if p.ExitCode() != 0 {
		t.Errorf("exit %v", p.ExitCode())
	}
}

func TestManagerLockReleasedWhenHolderDies(t *testing.T) {
	rec, _ := inCell(t)
	m := NewManager()
	defer m.Shutdown()
	l := m.Lock()
	p := NewProcess(managerHoldLock, l)
	p.Start()
	rec.waitFor(t, "stdout", "holding the lock")
	if l.AcquireTimeout(0) {
		t.Fatal("acquired a lock a live child holds")
	}
	p.Kill()
	p.Join()
	if !l.AcquireTimeout(30 * time.Second) { // a guard against hanging
		t.Fatal("the lock of a dead holder was not released")
	}
	l.Release()
	if msg := mustPanic(t, l.Release); !strings.Contains(msg, "unlocked") {
		t.Errorf("releasing a free lock: %s", msg)
	}
}

var servingAt = regexp.MustCompile(`serving at (\S+)`)

// TestManagerRemote runs a manager in one process, served on TCP as a
// remote one would be, and counts in it from another process and from
// this one.
func TestManagerRemote(t *testing.T) {
	rec, _ := inCell(t)
	server := NewProcess(managerServe, "secreto")
	server.Start()
	defer func() {
		server.Terminate()
		server.Join()
	}()
	rec.waitFor(t, "stdout", "serving at ")
	addr := servingAt.FindStringSubmatch(rec.text("stdout"))[1]

	if _, err := ConnectManager(addr, "otra"); !errors.Is(err, ErrAuth) {
		t.Fatalf("a wrong key: %v", err)
	}
	c, err := ConnectManager(addr, "secreto")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	c.Dict("resultados").Set("count", 0)
	worker := NewProcess(managerRemote, addr, "secreto", 30)
	worker.Start()
	managerCount(c.Dict("resultados"), c.Lock("cerrojo"), 30)
	worker.Join()
	if !strings.Contains(rec.text("stdout"), "remote done") {
		t.Fatalf("the remote worker said %q", rec.text("stdout"))
	}
	if got := c.Dict("resultados").Get("count"); got != 60 {
		t.Errorf("count = %v, want 60", got)
	}
}

func TestManagerRefusesWrongKeyAndKeepsServing(t *testing.T) {
	m := NewManager(Address("127.0.0.1:0"), AuthKey("secreto"))
	defer m.Shutdown()
	m.Dict("d").Set("x", 1)
	if _, err := ConnectManager(m.Address(), "secret0"); !errors.Is(err, ErrAuth) {
		t.Fatalf("a wrong key: %v", err)
	}
	// A server without the key is found out by the client too.
	impostor, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer impostor.Close()
	go func() {
		c, err := impostor.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		impostorHandshake(c, []byte("not the key"))
	}()
	if _, err := ConnectManager(impostor.Addr().String(), "secreto"); !errors.Is(err, ErrAuth) {
		t.Fatalf("an impostor server: %v", err)
	}

	// Garbage of every kind ends its own connection only.
	garbage := [][]byte{
		{0xff, 0xff, 0xff, 0xff},           // a huge length
		[]byte("\x00\x00\x00\x08gompmgr2"), // a hello; then silence
		[]byte("GET / HTTP/1.1\r\n\r\n"),
		{},
	}
	for _, g := range garbage {
		conn, err := net.Dial("tcp", m.Address())
		if err != nil {
			t.Fatal(err)
		}
		conn.Write(g)
		conn.Close()
	}
	// An authenticated client sending malformed requests.
	for _, body := range [][]byte{{}, {mopDictGet}, {mopDictGet, 1, 0, 5, 1}, {0xff, 0xff}} {
		// Dialed as a client does: it waits out the hold the wrong key above
		// put on this address.
		cc, err := newManagerClient(managerEndpoint{network: "tcp", address: m.Address(), key: []byte("secreto")}).dial(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		conn, r := cc.conn, cc.r
		writeManagerBody(conn, body)
		reply, err := readManagerMessage(r)
		if err == nil && reply.op != statusError {
			t.Errorf("request %x: reply %+v", body, reply)
		}
		conn.Close()
	}
	c, err := ConnectManager(m.Address(), "secreto")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	if c.Dict("d").Get("x") != 1 {
		t.Error("the manager lost its dict")
	}
	if msg := mustPanic(t, func() { (&DictProxy{p: &proxy{client: c.client, kind: dictObject, id: 999}}).Len() }); !strings.Contains(msg, "no object 999") {
		t.Errorf("an unknown object: %s", msg)
	}
}

func TestManagerInterruptStopsBlockedCalls(t *testing.T) {
	_, interrupt := inCell(t)
	m := NewManager()
	defer m.Shutdown()
	q, l := m.Queue(), m.Lock()
	l.Acquire()
	got := make(chan string, 2)
	for _, f := range []func(){func() { q.Get() }, l.Acquire} {
		go func() {
			defer func() { got <- fmt.Sprint(recover()) }()
			f()
		}()
	}
	// Both calls wait on connections of their own (besides the lock's).
	for m.server.connCount() < 3 {
		time.Sleep(time.Millisecond)
	}
	interrupt()
	for range 2 {
		if msg := <-got; !strings.Contains(msg, context.Canceled.Error()) {
			t.Errorf("an interrupted call: %s", msg)
		}
	}
	// The queue and the lock still work, in the next cell.
	inCell(t)
	q.Put(1)
	if q.Get() != 1 {
		t.Error("the queue lost its item")
	}
	l.Release()
	if !l.AcquireTimeout(0) {
		t.Error("the lock is still held after an interrupted Acquire")
	}
}

func TestManagerShutdownLeavesNothing(t *testing.T) {
	checkGoroutines := watchGoroutines(t)
	m := NewManager(Address("127.0.0.1:0"), AuthKey("k"))
	dir := m.server.dir
	c, err := ConnectManager(m.Address(), "k")
	if err != nil {
		t.Fatal(err)
	}
	q, l := c.Queue("q"), c.Lock("l")
	l.Acquire()
	m.Dict().Set(1, 2)
	ended := make(chan string, 2)
	for _, f := range []func(){func() { q.Get() }, l.Acquire} {
		go func() {
			defer func() { ended <- fmt.Sprint(recover()) }()
			f()
		}()
	}
	// Both calls have connections of their own (the pinned lock, m's own
	// and the two calls') before the server shuts down; whether their
	// requests arrived or not, they must end.
	for m.server.connCount() < 4 {
		time.Sleep(time.Millisecond)
	}
	m.Shutdown()
	for range 2 {
		if msg := <-ended; msg == "<nil>" {
			t.Error("a blocked call returned normally after Shutdown")
		}
	}
	c.Shutdown()
	m.Shutdown() // twice is fine
	checkGoroutines()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the manager's directory is still there: %v", err)
	}
	if msg := mustPanic(t, func() { m.Dict() }); !strings.Contains(msg, "shut down") {
		t.Errorf("a shut down manager: %s", msg)
	}
}

func FuzzDecodeManagerMessage(f *testing.F) {
	f.Add(appendManagerMessage(nil, managerMessage{op: mopDictSet, obj: 3, num: -1, parts: [][]byte{[]byte("k"), {}}}))
	f.Add(appendManagerMessage(nil, managerMessage{op: statusOK}))
	f.Add([]byte{1, 0x80})
	f.Add([]byte{1, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := decodeManagerMessage(body)
		if err != nil {
			return
		}
		// What decodes re-encodes to an equivalent message.
		again, err := decodeManagerMessage(appendManagerMessage(nil, m))
		if err != nil || again.op != m.op || again.obj != m.obj || again.num != m.num || len(again.parts) != len(m.parts) {
			t.Fatalf("%+v re-decoded as %+v, %v", m, again, err)
		}
		for i := range m.parts {
			if string(again.parts[i]) != string(m.parts[i]) {
				t.Fatalf("part %d: %q, then %q", i, m.parts[i], again.parts[i])
			}
		}
	})
}

// BenchmarkManagerDictSetGet is one Set and one Get on a manager dict, from
// the process serving it (bench/manager.py measures it from a child).
func BenchmarkManagerDictSetGet(b *testing.B) {
	m := NewManager()
	defer m.Shutdown()
	d := m.Dict()
	for i := 0; b.Loop(); i++ {
		d.Set(i%100, i)
		d.Get(i % 100)
	}
}
