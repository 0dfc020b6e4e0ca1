package eval

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"log"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/traefik/yaegi/interp"

	"gomp/native"
)

// The compiled tier's back half: slots, builds and the switch. Each eligible
// definition (native_gen.go) has a slot, numbered in its prologue. A build
// compiles every definition still without a copy, with the functions they
// call, into one plugin (package native) in the background; when it lands,
// each slot gets its copy and a token in its ready channel, and the next call
// of the function, even from a call that started interpreted, runs compiled.
// A redefinition takes the copies of the function and of every function that
// reaches it out of their slots first, so they run interpreted until their
// next build lands.

// nativeSlots bounds the slots of a session.
const nativeSlots = 4096

// nativeEnv turns the tier off for a kernel (the kernelspec's env).
const nativeEnv = "GOMP_NATIVE"

// nativeDirective is a cell's switch: `//gomp:native off` or `on`.
var nativeDirective = regexp.MustCompile(`(?m)^\s*//gomp:native\s+(on|off)\s*$`)

type nativeTier struct {
	logger *log.Logger
	traces *traceLog       // the session's, for fallback
	ready  []chan struct{} // per slot: a token while its copy is loaded (guarded by mu)
	fns    [nativeSlots]atomic.Pointer[nativeCopy]
	stop   atomic.Bool // the interpreter was stopped: compiled copies panic at their next check
	on     atomic.Bool // the notebook's switch
	// allowed: the kernel's environment did not turn the tier off; without
	// it cells get no prologue and the interpreter pays nothing.
	allowed bool

	ctx    context.Context // cancelled by close: builds under way end
	cancel context.CancelFunc
	wg     sync.WaitGroup // builds under way

	detect sync.Mutex // held while the toolchain is looked for
	one    sync.Mutex // held by the build under way: builds run one at a time

	mu       sync.Mutex
	cache    *native.Cache     // nil until the first build
	tc       *native.Toolchain // found by the first build
	noTool   bool              // no plugins here: the tier stays off
	slotOf   map[string]int
	slots    []*nativeSlot         // by number; 0 is no slot
	defs     map[string]*nativeDef // the current eligible definitions, by name
	consts   map[string]string     // the notebook's constants, as declarations
	interpIn *interp.Interpreter   // the interpreter the slots' fallbacks are of
	running  int                   // builds under way
	landed   chan struct{}         // closed and replaced when a build ends (tests wait on it)
}

// nativeCopy is a loaded compiled copy.
type nativeCopy struct{ fn any }

type nativeSlot struct {
	def      *nativeDef
	epoch    int           // bumped when the slot's copy is taken out
	claimed  bool          // a build under way (or failed) has it
	loaded   bool          // its copy is in fns
	path     string        // the plugin its copy is in
	pending  string        // the plugin a build under way writes, for children
	fallback reflect.Value // the interpreted function, for a panic of the copy
	disabled int           // fallbacks under way: the slot is interpreted meanwhile
}

func newNativeTier(logger *log.Logger, traces *traceLog) *nativeTier {
	t := &nativeTier{
		logger: logger, traces: traces,
		ready:  make([]chan struct{}, nativeSlots),
		slotOf: map[string]int{}, slots: []*nativeSlot{nil},
		defs: map[string]*nativeDef{}, consts: map[string]string{},
		landed: make(chan struct{}),
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	v := os.Getenv(nativeEnv)
	t.allowed = v != "0" && v != "off"
	t.on.Store(true)
	return t
}

// enabled reports whether cells get prologues at all.
func (t *nativeTier) enabled() bool { return t != nil && t.allowed }

// close cancels the builds under way and waits for them.
func (t *nativeTier) close() {
	t.cancel()
	t.wg.Wait()
}

// forCell starts a cell's part: its directive, and what the rewriter fills.
func (t *nativeTier) forCell(code string) *nativeCell {
	if !t.enabled() {
		return nil
	}
	if m := nativeDirective.FindAllStringSubmatch(code, -1); m != nil {
		t.setOn(m[len(m)-1][1] == "on")
	}
	return &nativeCell{tier: t, defs: map[string]*nativeDef{}, consts: map[string]string{}, analysed: map[*parsedUnit]bool{}}
}

// setOn flips the switch: off takes every token out, so every function runs
// interpreted; on puts back those of loaded copies.
func (t *nativeTier) setOn(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.on.Store(on)
	for k, sl := range t.slots {
		if sl != nil {
			t.publishLocked(k)
		}
	}
}

// publishLocked makes the slot's token match its state.
func (t *nativeTier) publishLocked(k int) {
	sl := t.slots[k]
	if sl.loaded && sl.disabled == 0 && t.on.Load() {
		select {
		case t.ready[k] <- struct{}{}:
		default:
		}
		return
	}
	select {
	case <-t.ready[k]:
	default:
	}
}

// current reports whether name has an eligible definition in the session.
func (t *nativeTier) current(name string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.defs[name] != nil
}

// slotFor returns the slot of a definition; the same source keeps its slot,
// so that rewriting an unchanged cell gives the same text. 0 when full.
func (t *nativeTier) slotFor(name, src string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := name + "\x00" + src
	if k, ok := t.slotOf[key]; ok {
		return k
	}
	if len(t.slots) >= nativeSlots {
		return 0
	}
	k := len(t.slots)
	t.slots = append(t.slots, &nativeSlot{})
	t.ready[k] = make(chan struct{}, 1)
	t.slotOf[key] = k
	return k
}

// NativeReady returns slot k's channel (the cells' __gomp.NativeReady): the
// prologue's variable is initialised with it. A child's replay asks before
// adopt knew the slot.
func (t *nativeTier) NativeReady(k int) chan struct{} {
	if k <= 0 || k >= nativeSlots {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ready[k] == nil {
		t.ready[k] = make(chan struct{}, 1)
	}
	return t.ready[k]
}

// Native returns slot k's compiled copy (the cells' __gomp.Native). A
// prologue calls it after seeing the slot's token; if the copy was taken out
// in between, the last one loaded still answers.
func (t *nativeTier) Native(k int) any {
	if c := t.fns[k].Load(); c != nil {
		return c.fn
	}
	return nil
}

// declare takes a cell's declarations in, once they are compiled: copies
// that a redefinition made stale leave their slots at once; the builds of
// the definitions without a copy start when the cell ends (schedule).
func (t *nativeTier) declare(s *Session, nc *nativeCell) {
	if nc == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var changed []string
	for _, k := range nc.declared {
		if name, ok := strings.CutPrefix(k, "const "); ok {
			if decl, ok := nc.consts[name]; !ok || t.consts[name] != decl {
				changed = append(changed, k)
			}
			if decl, ok := nc.consts[name]; ok {
				t.consts[name] = decl
			} else {
				delete(t.consts, name)
			}
			continue
		}
		name := strings.TrimPrefix(k, "func ")
		old, d := t.defs[name], nc.defs[name]
		if old != nil && (d == nil || old.src != d.src) {
			changed = append(changed, k)
			if old.slot != 0 {
				t.retractLocked(old.slot)
			}
		}
		if d != nil {
			t.defs[name] = d
			if d.slot != 0 {
				t.slots[d.slot].def = d
			}
		} else {
			delete(t.defs, name)
		}
	}
	if len(changed) > 0 {
		for k, sl := range t.slots {
			if sl != nil && sl.def != nil && (sl.loaded || sl.claimed) && t.reaches(sl.def, changed) {
				t.retractLocked(k)
			}
		}
	}
	if s.in != t.interpIn {
		t.interpIn = s.in
		for _, d := range t.defs {
			if d.slot != 0 {
				t.slots[d.slot].fallback = reflect.Value{}
			}
		}
	}
	for _, d := range t.defs {
		if sl := t.slots[d.slot]; d.slot != 0 && !sl.fallback.IsValid() {
			s.compileMu.Lock()
			v, err := evalQuiet(s.in, d.name)
			s.compileMu.Unlock()
			if err == nil && v.Kind() == reflect.Func {
				sl.fallback = v
			}
		}
	}
}

// schedule starts the builds of what the cell declared, once the cell has
// ended: a cell that declares functions and times them (lesson 00 compares
// one goroutine, two goroutines and two processes in the cell that declares
// countPrimes) then measures one tier throughout, not the moment a build
// landed. Calls in later cells switch as soon as the build lands, mid-run
// included.
func (t *nativeTier) schedule() {
	if !t.enabled() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.scheduleLocked()
}

// reaches tells whether d uses, directly or through its callees, one of the
// changed declarations ("func f", "const c").
func (t *nativeTier) reaches(d *nativeDef, changed []string) bool {
	seen := map[string]bool{}
	var walk func(d *nativeDef) bool
	walk = func(d *nativeDef) bool {
		if seen[d.name] {
			return false
		}
		seen[d.name] = true
		for _, c := range changed {
			if c == "func "+d.name {
				return true
			}
		}
		for _, c := range d.consts {
			for _, ch := range changed {
				if ch == "const "+c {
					return true
				}
			}
		}
		for _, c := range d.callees {
			for _, ch := range changed {
				if ch == "func "+c {
					return true
				}
			}
			if cd := t.defs[c]; cd != nil && walk(cd) {
				return true
			}
		}
		return false
	}
	return walk(d)
}

// retractLocked takes slot k's copy out: the function runs interpreted, and
// a build under way will not put its copy back.
func (t *nativeTier) retractLocked(k int) {
	sl := t.slots[k]
	sl.epoch++
	sl.claimed, sl.loaded, sl.path, sl.pending = false, false, "", ""
	t.publishLocked(k)
}

// nativeJob is one build: the plugin's source and the slots it fills.
type nativeJob struct {
	unit  native.Unit
	path  string      // where the plugin will be
	slots map[int]int // slot → its epoch when the build started
}

// scheduleLocked starts a build of every current definition without a copy
// whose callees and constants are all known.
func (t *nativeTier) scheduleLocked() {
	if t.noTool || t.ctx.Err() != nil {
		return
	}
	if t.cache == nil {
		dir, err := nativeCacheDir()
		if err == nil {
			t.cache, err = native.NewCache(dir)
		}
		if err != nil {
			t.noTool = true
			t.logger.Printf("compiled tier: off, functions stay interpreted: %v", err)
			return
		}
	}
	var want []*nativeDef
	for _, d := range t.defs {
		if sl := t.slots[d.slot]; d.slot != 0 && !sl.loaded && !sl.claimed {
			if _, ok := t.closure(d); ok {
				want = append(want, d)
			}
		}
	}
	if len(want) == 0 {
		return
	}
	sort.Slice(want, func(i, j int) bool { return want[i].slot < want[j].slot })
	job := nativeJob{slots: map[int]int{}}
	all := map[string]*nativeDef{}
	for _, d := range want {
		closure, _ := t.closure(d)
		for _, c := range closure {
			all[c.name] = c
		}
		t.slots[d.slot].claimed = true
		job.slots[d.slot] = t.slots[d.slot].epoch
	}
	job.unit = native.Unit{Source: t.pluginSource(all, want)}
	job.path = t.cache.Path(t.cache.Key(job.unit))
	for k := range job.slots {
		t.slots[k].pending = job.path
	}
	t.running++
	t.wg.Add(1)
	go t.build(job)
}

// closure is d with every definition it reaches; false when one is missing.
func (t *nativeTier) closure(d *nativeDef) ([]*nativeDef, bool) {
	seen := map[string]bool{}
	var out []*nativeDef
	var walk func(d *nativeDef) bool
	walk = func(d *nativeDef) bool {
		if seen[d.name] {
			return true
		}
		seen[d.name] = true
		out = append(out, d)
		for _, c := range d.consts {
			if _, ok := t.consts[c]; !ok {
				return false
			}
		}
		for _, c := range d.callees {
			cd := t.defs[c]
			if cd == nil || !walk(cd) {
				return false
			}
		}
		return true
	}
	return out, walk(d)
}

// pluginSource writes the plugin: the functions as the user wrote them (with
// stop checks), the constants they use, and an exported wrapper per slot
// that answers a panic by calling the interpreted copy (nativeTier.fallback).
func (t *nativeTier) pluginSource(all map[string]*nativeDef, export []*nativeDef) string {
	var b strings.Builder
	b.WriteString("// Code generated by gomp's compiled tier. DO NOT EDIT.\n\npackage main\n\nimport (\n\t\"sync/atomic\"\n")
	imports, consts := map[string]bool{}, map[string]bool{}
	names := sortedKeys(all)
	for _, n := range names {
		for _, is := range all[n].imports {
			imports["\t"+is.String()+"\n"] = true
		}
		for _, c := range all[n].consts {
			consts[t.consts[c]+"\n"] = true
		}
	}
	for _, line := range sortedSet(imports) {
		b.WriteString(line)
	}
	b.WriteString(")\n\nvar (\n\t__gompStop     *atomic.Bool\n\t__gompOnStop   func()\n\t__gompFallback func(int, any, ...any) []any\n)\n\n")
	b.WriteString("func GompSetup(stop *atomic.Bool, onStop func(), fallback func(int, any, ...any) []any) {\n\t__gompStop, __gompOnStop, __gompFallback = stop, onStop, fallback\n}\n\n")
	for _, c := range sortedSet(consts) {
		b.WriteString(c)
	}
	for _, n := range names {
		b.WriteString("\n" + all[n].src + "\n")
	}
	for _, d := range export {
		var results, zero []string
		for i, r := range d.results {
			results = append(results, fmt.Sprintf("__gompr%d %s", i, r))
			zero = append(zero, fmt.Sprintf("\t\t\t__gompr%d, _ = __gompres[%d].(%s)\n", i, i, r))
		}
		var params []string
		for _, p := range d.params {
			params = append(params, p.name+" "+p.typ)
		}
		ret := ""
		if len(d.results) > 0 {
			ret = "return "
		}
		args := d.args()
		if args != "" {
			args = ", " + args
		}
		fmt.Fprintf(&b, "\nfunc GompW%d(%s) (%s) {\n\tdefer func() {\n\t\tif __gompp := recover(); __gompp != nil {\n\t\t\tif __gompStop.Load() {\n\t\t\t\tpanic(__gompp)\n\t\t\t}\n\t\t\t__gompres := __gompFallback(%d, __gompp%s)\n\t\t\t_ = __gompres\n%s\t\t}\n\t}()\n\t%s%s(%s)\n\treturn\n}\n",
			d.slot, strings.Join(params, ", "), strings.Join(results, ", "), d.slot, args, strings.Join(zero, ""), ret, d.name, d.args())
	}
	return b.String()
}

// build runs one job in its own goroutine (owned by the tier: close waits
// for it) and loads what it built.
func (t *nativeTier) build(job nativeJob) {
	defer t.wg.Done()
	defer t.signalLanded()
	t.one.Lock()
	defer t.one.Unlock()
	if !t.wanted(job) {
		return // every slot was redefined while the build waited its turn
	}
	tc, err := t.toolchain()
	var path string
	if err == nil {
		path, err = t.cache.Build(t.ctx, tc, job.unit)
	}
	var lib *native.Library
	if err == nil {
		lib, err = t.open(path)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		for k, epoch := range job.slots {
			if t.slots[k].epoch == epoch {
				t.slots[k].pending = ""
			}
		}
		if t.ctx.Err() == nil {
			t.logger.Printf("compiled tier: %s stay interpreted: %v", t.namesOf(job), firstLine(err))
		}
		return
	}
	for k, epoch := range job.slots {
		sl := t.slots[k]
		if sl.epoch != epoch {
			continue // redefined meanwhile
		}
		sym, err := lib.Lookup(fmt.Sprintf("GompW%d", k))
		if err != nil {
			t.logger.Printf("compiled tier: %v", err)
			continue
		}
		t.fns[k].Store(&nativeCopy{fn: sym})
		sl.loaded, sl.claimed, sl.path, sl.pending = true, false, path, ""
		t.publishLocked(k)
	}
}

// wanted reports whether a slot of the job still waits for it.
func (t *nativeTier) wanted(job nativeJob) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, epoch := range job.slots {
		if t.slots[k].epoch == epoch {
			return true
		}
	}
	return false
}

func (t *nativeTier) namesOf(job nativeJob) string {
	var names []string
	for k := range job.slots {
		if d := t.slots[k].def; d != nil {
			names = append(names, d.name)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func firstLine(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		return msg[:i] + " ..."
	}
	return msg
}

func (t *nativeTier) signalLanded() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.running--
	close(t.landed)
	t.landed = make(chan struct{})
}

// toolchain finds the go command once, in the first build (not at kernel
// start: it runs go env).
func (t *nativeTier) toolchain() (*native.Toolchain, error) {
	t.detect.Lock()
	defer t.detect.Unlock()
	t.mu.Lock()
	tc, noTool := t.tc, t.noTool
	t.mu.Unlock()
	if tc != nil || noTool {
		if tc == nil {
			return nil, native.ErrUnavailable
		}
		return tc, nil
	}
	tc, err := native.Detect(t.ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.noTool = true
		return nil, err
	}
	t.tc = tc
	return tc, nil
}

// nativeCacheDir is the plugin cache: GOMP_NATIVE_CACHE, or gomp/native under
// the user's cache directory.
func nativeCacheDir() (string, error) {
	if d := os.Getenv("GOMP_NATIVE_CACHE"); d != "" {
		return d, nil
	}
	return native.DefaultDir()
}

// open loads a plugin and wires its stop flag and fallback to the tier.
func (t *nativeTier) open(path string) (*native.Library, error) {
	lib, err := native.Open(path)
	if err != nil {
		return nil, err
	}
	sym, err := lib.Lookup("GompSetup")
	if err != nil {
		return nil, err
	}
	setup, ok := sym.(func(*atomic.Bool, func(), func(int, any, ...any) []any))
	if !ok {
		return nil, fmt.Errorf("the plugin's GompSetup is a %T", sym)
	}
	setup(&t.stop, func() { panic(interruptSignal{}) }, t.fallback)
	return lib, nil
}

// fallback answers a panic of slot k's compiled copy: the interpreted copy
// runs with the same arguments (the function is pure, so nothing is done
// twice) and panics as interpreted code does, with its traceback. The slot
// is interpreted while it runs, for every goroutine, so that the whole call
// is the interpreter's.
func (t *nativeTier) fallback(k int, p any, args ...any) []any {
	t.mu.Lock()
	sl := t.slots[k]
	fn := sl.fallback
	if !fn.IsValid() {
		t.mu.Unlock()
		panic(p)
	}
	sl.disabled++
	t.publishLocked(k)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		sl.disabled--
		t.publishLocked(k)
		t.mu.Unlock()
	}()
	defer func() {
		if p := recover(); p != nil {
			// The frames of the interpreted copy whose prologue called the
			// compiled one, and of the prologue's caller (__gompC7), are
			// the frame that just panicked: the traceback names it once, as
			// the interpreter alone would.
			t.traces.mu.Lock()
			t.traces.skip += 2
			t.traces.mu.Unlock()
			panic(p)
		}
	}()
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		in[i] = reflect.ValueOf(a).Convert(fn.Type().In(i))
	}
	out := fn.Call(in)
	res := make([]any, len(out))
	for i, v := range out {
		res[i] = v.Interface()
	}
	return res
}

// waitBuilds waits until no build is under way (tests: a build has landed,
// or failed, before they compare).
func (t *nativeTier) waitBuilds(ctx context.Context) error {
	for {
		t.mu.Lock()
		busy := t.running > 0
		landed := t.landed
		t.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-landed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// nativeJSON is a compiled copy for a child: its slot, its function and
// the plugin it is in (the cache's file, which the child opens), or will be
// in once the build under way lands (Pending).
type nativeJSON struct {
	Slot    int    `json:"slot"`
	Name    string `json:"name"`
	Path    string `json:"path"`
	Pending bool   `json:"pending,omitempty"`
}

// loadedCopies lists the slots with a compiled copy or a build under way,
// for a child's snapshot.
func (t *nativeTier) loadedCopies() []nativeJSON {
	if !t.enabled() || !t.on.Load() {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []nativeJSON
	for k, sl := range t.slots {
		switch {
		case sl == nil || sl.def == nil:
		case sl.loaded:
			out = append(out, nativeJSON{Slot: k, Name: sl.def.name, Path: sl.path})
		case sl.pending != "":
			out = append(out, nativeJSON{Slot: k, Name: sl.def.name, Path: sl.pending, Pending: true})
		}
	}
	return out
}

func sameNative(a, b []nativeJSON) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// nativeAdoptWait bounds how long a child looks for the plugins of builds
// that were under way when it started (a build that failed never writes).
const nativeAdoptWait = 10 * time.Minute

// adopt loads, in a child, the compiled copies its parent had when it
// started it: the child replays the same declarations (with the same slots
// in their prologues) and opens the same plugins from the cache, so Process
// and Pool targets run compiled too. A child never builds; the plugins of
// builds under way are opened when they appear in the cache (a pool made
// right after its functions were declared gets them mid-run), by a
// goroutine of the tier's that ends when all are loaded, after
// nativeAdoptWait, or when the session closes.
func (t *nativeTier) adopt(s *Session, copies []nativeJSON) {
	t.mu.Lock()
	var pending []nativeJSON
	for _, c := range copies {
		if c.Slot <= 0 || c.Slot >= nativeSlots {
			continue
		}
		for len(t.slots) <= c.Slot {
			t.slots = append(t.slots, &nativeSlot{})
		}
		if t.ready[c.Slot] == nil {
			t.ready[c.Slot] = make(chan struct{}, 1)
		}
		sl := t.slots[c.Slot]
		sl.def = &nativeDef{name: c.Name, slot: c.Slot}
		s.compileMu.Lock()
		v, err := evalQuiet(s.in, c.Name)
		s.compileMu.Unlock()
		if err == nil && v.Kind() == reflect.Func {
			sl.fallback = v
		}
		pending = append(pending, c)
	}
	t.mu.Unlock()
	libs := map[string]*native.Library{}
	pending = t.adoptReady(pending, libs)
	if len(pending) == 0 {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		give := time.NewTimer(nativeAdoptWait)
		defer give.Stop()
		for len(pending) > 0 {
			select {
			case <-tick.C:
				pending = t.adoptReady(pending, libs)
			case <-give.C:
				return
			case <-t.ctx.Done():
				return
			}
		}
	}()
}

// adoptReady loads the copies whose plugin is in the cache and returns the
// others.
func (t *nativeTier) adoptReady(copies []nativeJSON, libs map[string]*native.Library) []nativeJSON {
	var later []nativeJSON
	for _, c := range copies {
		lib := libs[c.Path]
		if lib == nil {
			if _, err := os.Stat(c.Path); err != nil {
				later = append(later, c)
				continue
			}
			var err error
			if lib, err = t.open(c.Path); err != nil {
				t.logger.Printf("compiled tier in a child: %v", err)
				continue
			}
			libs[c.Path] = lib
		}
		sym, err := lib.Lookup(fmt.Sprintf("GompW%d", c.Slot))
		if err != nil {
			t.logger.Printf("compiled tier in a child: %v", err)
			continue
		}
		t.mu.Lock()
		t.fns[c.Slot].Store(&nativeCopy{fn: sym})
		sl := t.slots[c.Slot]
		sl.loaded, sl.path = true, c.Path
		t.publishLocked(c.Slot)
		t.mu.Unlock()
	}
	return later
}

// isNativeDecl tells the variable and the function nativePrologue declares
// after a function, which belong to the function's entry in the
// declaration log.
func isNativeDecl(d ast.Decl) bool {
	if fd, ok := d.(*ast.FuncDecl); ok {
		return strings.HasPrefix(fd.Name.Name, nativeCallPrefix)
	}
	gd, ok := d.(*ast.GenDecl)
	if !ok || gd.Tok != token.VAR || len(gd.Specs) != 1 {
		return false
	}
	vs, ok := gd.Specs[0].(*ast.ValueSpec)
	return ok && len(vs.Names) == 1 && strings.HasPrefix(vs.Names[0].Name, nativeReadyPrefix)
}
