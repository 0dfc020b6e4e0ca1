package mp

import (
	"fmt"
	"reflect"

	"gomp/display"
)

// MapOption configures a Map, Starmap, Imap and their async forms:
// Chunksize, ShowProgress.
type MapOption struct{ apply func(*mapConfig) }

type mapConfig struct {
	chunksize int
	progress  bool
}

// Chunksize sends the items to the workers in chunks of n: one message
// (and one reply) per chunk, not per item. The default for Map and
// Starmap is Python's: the items split in about four chunks per worker;
// for Imap and ImapUnordered it is 1.
//
//	pool.Map(isPrime, numbers, mp.Chunksize(1000))
func Chunksize(n int) MapOption {
	return MapOption{func(c *mapConfig) { c.chunksize = n }}
}

// ShowProgress shows a progress bar in the cell while the results arrive,
// as Python's tqdm does around a map.
//
//	pool.Map(slow, items, mp.ShowProgress())
func ShowProgress() MapOption {
	return MapOption{func(c *mapConfig) { c.progress = true }}
}

// Map calls f for every item of items (a slice or an array) in the
// workers and returns the results in order, as a slice of f's result type
// (a []int for a func(int) int). A failed task makes it panic with its
// *TaskError once all results are in; use MapAsync and Err to check
// instead.
func (p *Pool) Map(f any, items any, opts ...MapOption) any {
	return p.MapAsync(f, items, opts...).get("Pool.Map")
}

// MapAsync is Map that returns at once; Get gives the slice of results.
func (p *Pool) MapAsync(f any, items any, opts ...MapOption) *AsyncResult {
	return &AsyncResult{job: p.submitItems("MapAsync", f, items, formMap, opts, false)}
}

// Starmap is Map for a function of several arguments: each item of
// argLists is the list of arguments of one call (a [][]any, a [][]int,
// ...), as Python's starmap.
//
//	pool.Starmap(pow, [][]int{{2, 3}, {3, 2}}) // [8 9]
func (p *Pool) Starmap(f any, argLists any, opts ...MapOption) any {
	return p.StarmapAsync(f, argLists, opts...).get("Pool.Starmap")
}

// StarmapAsync is Starmap that returns at once.
func (p *Pool) StarmapAsync(f any, argLists any, opts ...MapOption) *AsyncResult {
	return &AsyncResult{job: p.submitItems("StarmapAsync", f, argLists, formStar, opts, false)}
}

// Apply calls f(args...) in a worker and returns its result (nil for a
// function without results), or panics with the task's *TaskError.
func (p *Pool) Apply(f any, args ...any) any {
	return p.ApplyAsync(f, args...).get("Pool.Apply")
}

// ApplyAsync calls f(args...) in a worker and returns at once; Get gives
// the result.
func (p *Pool) ApplyAsync(f any, args ...any) *AsyncResult {
	p.checkRunning("ApplyAsync")
	fn := p.function("ApplyAsync", f)
	data, err := encodeStrict(p.h, valuesOf(args))
	if err != nil {
		for i, a := range args {
			if err1 := copyable(p.h, reflect.ValueOf(a)); err1 != nil {
				misuse("Pool.ApplyAsync", "argument %d of %s cannot be copied to the workers: %v", i+1, fn.name, err1)
			}
		}
		misuse("Pool.ApplyAsync", "the arguments of %s cannot be copied to the workers: %v", fn.name, err)
	}
	payload := appendTaskPayload(nil, fn.id, 1, formArgs, data)
	if len(payload) > maxPayload {
		misuse("Pool.ApplyAsync", "the arguments of %s are too large to send to a worker: %s in one message, and a message holds at most %s",
			fn.name, sizeOf(len(payload)), sizeOf(maxPayload))
	}
	j := newPoolJob(p, fn.name, fn.elem, 1)
	p.out.set(p.h.Cell().Output)
	p.enqueue([]*chunk{{job: j, fn: fn.id, start: 0, count: 1, payload: payload}})
	return &AsyncResult{job: j, single: true}
}

// Imap is Map whose results can be used as they arrive, in order:
//
//	for it := pool.Imap(f, items); it.Next(); {
//		fmt.Println(it.Value())
//	}
func (p *Pool) Imap(f any, items any, opts ...MapOption) *Iterator {
	return &Iterator{job: p.submitItems("Imap", f, items, formMap, opts, true), ordered: true, at: -1}
}

// ImapUnordered is Imap whose results come in the order they are ready;
// Iterator.Index tells which item each is.
func (p *Pool) ImapUnordered(f any, items any, opts ...MapOption) *Iterator {
	return &Iterator{job: p.submitItems("ImapUnordered", f, items, formMap, opts, true), at: -1}
}

// poolFunc is a call's function as the workers know it.
type poolFunc struct {
	id   uint32
	name string
	elem reflect.Type
}

// function numbers f for the workers (once per function and receiver)
// and works out its result type.
func (p *Pool) function(op string, f any) poolFunc {
	if f == nil {
		misuse("Pool."+op, "no function given")
	}
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func {
		misuse("Pool."+op, "a %s is not a function", fv.Type())
	}
	target, err := p.h.Identify(fv)
	if err != nil {
		misuse("Pool."+op, "%v", err)
	}
	var recv []byte
	if target.Recv.IsValid() {
		if recv, err = encodeStrict(p.h, []reflect.Value{target.Recv}); err != nil {
			misuse("Pool."+op, "the receiver of %s cannot be copied to the workers: %v", target.Func, err)
		}
	}
	key := target.Func + "\x00" + string(recv)
	p.mu.Lock()
	id, ok := p.funcs[key]
	if !ok {
		id = uint32(len(p.funcDefs))
		p.funcs[key] = id
		p.funcDefs = append(p.funcDefs, appendFuncPayload(nil, target.Func, recv))
	}
	p.mu.Unlock()
	return poolFunc{id: id, name: target.Func, elem: resultType(fv.Type())}
}

var anyType = reflect.TypeFor[any]()

// resultType is the type of a task's result for a function type: its
// result, the first of (T, error), any for none, []any for several.
func resultType(ft reflect.Type) reflect.Type {
	switch {
	case ft.NumOut() == 0:
		return anyType
	case ft.NumOut() == 1:
		return ft.Out(0)
	case ft.NumOut() == 2 && ft.Out(1) == errorType:
		return ft.Out(0)
	}
	return reflect.TypeFor[[]any]()
}

// submitItems queues a call of f for each item, in chunks.
func (p *Pool) submitItems(op string, f any, items any, form byte, opts []MapOption, lazy bool) *poolJob {
	p.checkRunning(op)
	var cfg mapConfig
	for _, o := range opts {
		o.apply(&cfg)
	}
	fn := p.function(op, f)
	list := reflect.ValueOf(items)
	switch {
	case items == nil:
		misuse("Pool."+op, "no items given: pass a slice")
	case list.Kind() == reflect.Array:
		s := reflect.MakeSlice(reflect.SliceOf(list.Type().Elem()), list.Len(), list.Len())
		reflect.Copy(s, list)
		list = s
	case list.Kind() != reflect.Slice:
		misuse("Pool."+op, "the items must be a slice or an array, not a %s", list.Type())
	}
	n := list.Len()
	size := cfg.chunksize
	if size <= 0 {
		size = 1
		if !lazy {
			size = defaultChunksize(n, p.size)
		}
	}
	j := newPoolJob(p, fn.name, fn.elem, n)
	cell := p.h.Cell()
	if cfg.progress {
		j.progress = display.NewProgressTo(cell.Output, n)
	}
	chunks := make([]*chunk, 0, (n+size-1)/size)
	var buf []byte
	for start := 0; start < n; start += size {
		count := min(size, n-start)
		data, err := encodeStrict(p.h, []reflect.Value{list.Slice(start, start+count)})
		if err != nil {
			misuse("Pool."+op, "an item of %s cannot be copied to the workers: %v", fn.name, err)
		}
		// One buffer for all payloads: a chunk of one item is small, and
		// 10,000 allocations would cost more than the copying.
		at := len(buf)
		buf = appendTaskPayload(buf, fn.id, count, form, data)
		if n := len(buf) - at; n > maxPayload {
			what, hint := fmt.Sprintf("item %d of %s is", start, fn.name), ""
			if count > 1 {
				what, hint = fmt.Sprintf("the %d items of %s from item %d are", count, fn.name, start), ": use a smaller mp.Chunksize"
			}
			misuse("Pool."+op, "%s too large to send to a worker: %s in one message, and a message holds at most %s%s",
				what, sizeOf(n), sizeOf(maxPayload), hint)
		}
		chunks = append(chunks, &chunk{job: j, fn: fn.id, start: start, count: count, payload: buf[at:len(buf):len(buf)]})
	}
	p.out.set(cell.Output)
	p.enqueue(chunks)
	return j
}

// defaultChunksize is Python's: about four chunks per worker.
func defaultChunksize(n, workers int) int {
	size, extra := n/(workers*4), n%(workers*4)
	if extra > 0 {
		size++
	}
	return max(size, 1)
}

// enqueue numbers chunks and queues them for the workers.
func (p *Pool) enqueue(chunks []*chunk) {
	p.mu.Lock()
	var err error
	switch {
	case p.state != poolRunning:
		// Closed or terminated since the call checked: no worker may be
		// left to take its tasks.
		err = fmt.Errorf("the pool is not running (it was closed or terminated while the call was made): make a new mp.Pool")
		if p.state == poolTerminated {
			err = &TaskError{Message: err.Error(), Err: ErrPoolTerminated}
		}
	case p.broken != nil:
		err = p.broken
	}
	if err != nil {
		p.mu.Unlock()
		for _, ch := range chunks {
			ch.job.failChunk(ch, asTaskError(ch.job.fname, err))
		}
		return
	}
	for _, ch := range chunks {
		p.chunks++
		ch.id = p.chunks
	}
	p.queue = append(p.queue, chunks...)
	p.changed.Broadcast()
	p.mu.Unlock()
}
