package mp

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
)

// Manager serves shared objects (dicts, lists, namespaces, queues, locks,
// values) to every process of the kernel, and, when it listens on TCP, to
// other machines and other kernels: Python's multiprocessing.Manager and
// BaseManager. Its methods return proxies, which send each operation to the
// manager; a proxy passed to a child (as an argument, inside a struct, in a
// global, through a queue) works there too.
//
//	m := mp.NewManager()
//	d := m.Dict()
//	p := mp.NewProcess(worker, d, 1)
//
// Python starts a server process for a Manager; a gomp Manager is served
// by goroutines of the process that made it (usually the kernel), so its
// objects live as long as that process, or until Shutdown.
//
// A Manager made by ConnectManager is a client of a manager elsewhere: it
// has the same methods, which find or make the objects there.
type Manager struct {
	server   *managerServer // nil for a connected manager
	client   *managerClient
	address  string
	self     *proxy // how the Manager itself crosses to other processes
	opened   bool   // received from another process: its client is shared
	shutOnce sync.Once
}

// SharedRef lets a Manager cross to other processes (package codec): a child
// that gets one (as an argument, in a global) reaches the same manager.
func (m *Manager) SharedRef() (string, uint64) { return m.self.sharedRef(m) }

// ManagerOption configures NewManager.
type ManagerOption func(*managerConfig)

type managerConfig struct {
	address string
	authKey []byte
}

// Address makes the manager listen on TCP at addr ("127.0.0.1:50000",
// ":50000" for every interface, "127.0.0.1:0" for a free port) for other
// machines and kernels, besides its local socket. It needs an AuthKey.
func Address(addr string) ManagerOption {
	return func(c *managerConfig) { c.address = addr }
}

// AuthKey is the secret clients must prove they know (the key itself never
// crosses the network). Without it a manager has a random key, which only
// the processes it gives proxies to can use.
func AuthKey(key string) ManagerOption {
	return func(c *managerConfig) { c.authKey = []byte(key) }
}

// ErrAuth is the error of ConnectManager when the auth key is wrong.
var ErrAuth = errors.New("manager authentication failed: wrong auth key")

// liveManagers are the managers this process serves, which mp's Shutdown
// (the session's end) shuts down.
var liveManagers struct {
	mu sync.Mutex
	m  map[*Manager]struct{}
}

// NewManager starts a manager served by this process. It panics, as Python
// raises, when it cannot listen (the address is in use, say).
//
//	m := mp.NewManager()                                                   // for this kernel's processes
//	m := mp.NewManager(mp.Address("0.0.0.0:50000"), mp.AuthKey("secreto")) // and for other machines
func NewManager(opts ...ManagerOption) *Manager {
	var cfg managerConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.address != "" && len(cfg.authKey) == 0 {
		panic(errors.New("mp: NewManager: a manager listening on TCP needs an mp.AuthKey: anyone who can reach the port could use it otherwise"))
	}
	if len(cfg.authKey) == 0 {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic(fmt.Errorf("mp: NewManager: making a key: %w", err))
		}
		cfg.authKey = []byte(hex.EncodeToString(key))
	}
	s, err := startManagerServer(cfg.authKey, cfg.address)
	if err != nil {
		panic(fmt.Errorf("mp: NewManager: %w", err))
	}
	m := &Manager{
		server:  s,
		client:  newManagerClient(managerEndpoint{network: "unix", address: s.unixPath, key: cfg.authKey}),
		address: s.tcpAddress(),
	}
	if m.address == "" {
		m.address = "unix:" + s.unixPath
	}
	m.self = &proxy{client: m.client, kind: managerObject}
	liveManagers.mu.Lock()
	if liveManagers.m == nil {
		liveManagers.m = map[*Manager]struct{}{}
	}
	liveManagers.m[m] = struct{}{}
	liveManagers.mu.Unlock()
	return m
}

// ConnectManager connects to a manager that another process or machine
// serves (NewManager with Address, or the command `gomp manager`): Python's
// BaseManager(address, authkey).connect(). A wrong key is an error that
// errors.Is ErrAuth.
//
//	c, err := mp.ConnectManager("192.168.1.10:50000", "secreto")
//	resultados := c.Dict("resultados")
func ConnectManager(address, authKey string) (*Manager, error) {
	network, addr := parseManagerAddress(address)
	client := newManagerClient(managerEndpoint{network: network, address: addr, key: []byte(authKey)})
	// Connect now, so that a wrong address or key shows here, not at the
	// first use of a proxy.
	ctx := cellContext()
	cc, err := client.get(ctx)
	if err != nil {
		return nil, err
	}
	client.put(cc)
	m := &Manager{client: client, address: address}
	m.self = &proxy{client: client, kind: managerObject}
	return m, nil
}

// Address is where the manager listens: its TCP address ("127.0.0.1:50000")
// if it has one, else its local socket ("unix:/tmp/gomp-mgr-.../manager.sock").
// ConnectManager takes either.
func (m *Manager) Address() string { return m.address }

// Shutdown stops the manager: it stops listening, closes every connection
// (blocked Gets and Acquires return an error) and drops its objects. On a
// manager from ConnectManager it only closes this process's connections, and
// on one received from another process it does nothing (the process that
// made it owns it). Proxies fail afterwards. Shutting down the kernel shuts down its
// managers.
func (m *Manager) Shutdown() {
	if m.opened {
		return
	}
	m.shutOnce.Do(func() {
		m.client.close()
		if m.server != nil {
			m.server.close()
			liveManagers.mu.Lock()
			delete(liveManagers.m, m)
			liveManagers.mu.Unlock()
		}
	})
}

// shutdownManagers shuts down every manager this process serves, and closes
// its connections to others' (the session ends).
func shutdownManagers() {
	liveManagers.mu.Lock()
	var ms []*Manager
	for m := range liveManagers.m {
		ms = append(ms, m)
	}
	liveManagers.mu.Unlock()
	for _, m := range ms {
		m.Shutdown()
	}
	closeOpenedClients()
}

func (m *Manager) String() string {
	if m.server == nil {
		return "<mp.Manager connected to " + m.address + ">"
	}
	return "<mp.Manager at " + m.address + ">"
}

// object makes an object on the manager, or finds the one of that kind and
// name.
func (m *Manager) object(kind managedKind, op string, names []string, initial ...[]byte) *proxy {
	if len(names) > 1 {
		panic(fmt.Errorf("mp: Manager.%s takes one name at most, not %d", op, len(names)))
	}
	name := ""
	if len(names) == 1 {
		name = names[0]
	}
	parts := append([][]byte{[]byte(name)}, initial...)
	reply, err := m.client.call(cellContext(), managerMessage{op: mopCreate, num: int64(kind), parts: parts})
	if err != nil {
		panic(fmt.Errorf("mp: Manager.%s: %w", op, err))
	}
	return &proxy{client: m.client, kind: kind, id: uint64(reply.num)}
}

// Dict returns a new dict on the manager, or, given a name, the dict of
// that name, made empty the first time: how the other side of a remote
// manager finds it.
func (m *Manager) Dict(name ...string) *DictProxy {
	return &DictProxy{p: m.object(dictObject, "Dict", name)}
}

// List returns a new list on the manager, or the list of that name.
func (m *Manager) List(name ...string) *ListProxy {
	return &ListProxy{p: m.object(listObject, "List", name)}
}

// Namespace returns a new namespace on the manager (Python's
// manager.Namespace(), whose attributes are Get and Set here), or the
// namespace of that name.
func (m *Manager) Namespace(name ...string) *NamespaceProxy {
	return &NamespaceProxy{p: m.object(namespaceObject, "Namespace", name)}
}

// Queue returns a new queue on the manager, or the queue of that name. It
// has no bound: Put never waits.
func (m *Manager) Queue(name ...string) *QueueProxy {
	return &QueueProxy{p: m.object(queueObject, "Queue", name)}
}

// Lock returns a new lock on the manager, or the lock of that name. If the
// process holding it dies, the manager releases it.
func (m *Manager) Lock(name ...string) *LockProxy {
	return &LockProxy{p: m.object(lockObject, "Lock", name)}
}

// Value returns a new value on the manager holding initial, or the value of
// that name (initial is its value only if this call makes it).
func (m *Manager) Value(initial any, name ...string) *ValueProxy {
	data := mustEncode("Manager.Value", initial)
	return &ValueProxy{p: m.object(valueObject, "Value", name, data)}
}
