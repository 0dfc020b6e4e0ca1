package codec

import (
	"reflect"
	"sync"
)

// A shape is the sender's description of a type (see wire.go for the
// kinds), parsed into a graph: back-references of recursive types point to
// the node they repeat. Shapes are parsed once and cached by their bytes.
type shapeNode struct {
	kind   byte
	sub    byte // interface subkind
	n      int  // array length
	elem   *shapeNode
	key    *shapeNode
	fields []shapeField
	min    int64 // a lower bound of the bytes a value of this shape takes
}

type shapeField struct {
	name, tag string
	s         *shapeNode
}

type shapeInfo struct {
	root   *shapeNode
	cached bool // in shapeCache, so plans for it can be cached too

	once       sync.Once
	rebuilt    reflect.Type // for entries without a name
	rebuildErr error
}

const (
	maxShapeDepth = 200
	maxCached     = 4096 // shapes, plans and names cached, each
	maxMin        = 1 << 40
)

var shapeCache struct {
	sync.RWMutex
	m map[string]*shapeInfo
}

// shapeOf parses (or finds) the shape in b.
func shapeOf(b []byte) (*shapeInfo, error) {
	shapeCache.RLock()
	s := shapeCache.m[string(b)]
	shapeCache.RUnlock()
	if s != nil {
		return s, nil
	}
	p := shapeParser{b: b}
	root, err := p.node(0)
	if err != nil {
		return nil, err
	}
	if p.pos != len(b) {
		return nil, corrupt("shape has %d stray bytes", len(b)-p.pos)
	}
	if err := sizeNodes(p.nodes); err != nil {
		return nil, err
	}
	s = &shapeInfo{root: root}
	shapeCache.Lock()
	defer shapeCache.Unlock()
	if old := shapeCache.m[string(b)]; old != nil {
		return old, nil
	}
	if len(shapeCache.m) < maxCached {
		if shapeCache.m == nil {
			shapeCache.m = make(map[string]*shapeInfo)
		}
		s.cached = true
		shapeCache.m[string(b)] = s
	}
	return s, nil
}

type shapeParser struct {
	b     []byte
	pos   int
	nodes []*shapeNode
}

func (p *shapeParser) byte() (byte, error) {
	if p.pos >= len(p.b) {
		return 0, corrupt("truncated shape")
	}
	p.pos++
	return p.b[p.pos-1], nil
}

func (p *shapeParser) uvarint() (uint64, error) {
	x, n := uvarint(p.b[p.pos:])
	if n <= 0 {
		return 0, corrupt("bad number in shape")
	}
	p.pos += n
	return x, nil
}

func (p *shapeParser) string() (string, error) {
	n, err := p.uvarint()
	if err != nil {
		return "", err
	}
	if n > uint64(len(p.b)-p.pos) {
		return "", corrupt("truncated shape")
	}
	s := string(p.b[p.pos : p.pos+int(n)])
	p.pos += int(n)
	return s, nil
}

func (p *shapeParser) node(depth int) (*shapeNode, error) {
	if depth > maxShapeDepth {
		return nil, corrupt("shape nested too deeply")
	}
	k, err := p.byte()
	if err != nil {
		return nil, err
	}
	if k == kBackref {
		i, err := p.uvarint()
		if err != nil {
			return nil, err
		}
		if i >= uint64(len(p.nodes)) {
			return nil, corrupt("shape refers to node %d of %d", i, len(p.nodes))
		}
		return p.nodes[i], nil
	}
	n := &shapeNode{kind: k}
	p.nodes = append(p.nodes, n)
	switch k {
	case kBool, kInt, kInt8, kInt16, kInt32, kInt64, kUint, kUint8, kUint16, kUint32, kUint64,
		kUintptr, kFloat32, kFloat64, kComplex64, kComplex128, kString, kBytes,
		kShared, kBinary, kGob, kZero:
	case kIface:
		if n.sub, err = p.byte(); err == nil && n.sub > ifaceOther {
			err = corrupt("bad interface kind %d", n.sub)
		}
	case kSlice, kPtr:
		n.elem, err = p.node(depth + 1)
	case kArray:
		var l uint64
		if l, err = p.uvarint(); err == nil && l > maxMin {
			err = corrupt("array length %d", l)
		}
		n.n = int(l)
		if err == nil {
			n.elem, err = p.node(depth + 1)
		}
	case kMap:
		if n.key, err = p.node(depth + 1); err == nil {
			n.elem, err = p.node(depth + 1)
		}
	case kStruct:
		var count uint64
		if count, err = p.uvarint(); err == nil && count > uint64(len(p.b)-p.pos) {
			err = corrupt("struct of %d fields in %d bytes", count, len(p.b)-p.pos)
		}
		for i := uint64(0); i < count && err == nil; i++ {
			var f shapeField
			if f.name, err = p.string(); err != nil {
				break
			}
			if f.tag, err = p.string(); err != nil {
				break
			}
			f.s, err = p.node(depth + 1)
			n.fields = append(n.fields, f)
		}
	default:
		err = corrupt("unknown kind %d in shape", k)
	}
	return n, err
}

// minSize is the least encoded size of a value of shape n (its parts'
// sizes known), used to refuse counts that the bytes left cannot hold. It
// is exact about zero: a shape of min 0 always takes no bytes, since
// everything that can take bytes takes at least one.
func minSize(n *shapeNode) int64 {
	switch n.kind {
	case kZero:
		return 0
	case kFloat32:
		return 4
	case kFloat64, kComplex64:
		return 8
	case kComplex128:
		return 16
	case kArray:
		if n.n == 0 || n.elem.min == 0 {
			return 0
		}
		if n.elem.min > maxMin/int64(n.n) {
			return maxMin
		}
		return int64(n.n) * n.elem.min
	case kStruct:
		var sum int64
		for _, f := range n.fields {
			sum = min(sum+f.s.min, maxMin)
		}
		return sum
	}
	return 1
}

// sizeNodes sets the nodes' min sizes, and refuses shapes of infinite size:
// a struct or array that contains itself other than through a pointer,
// slice, map or interface (no Go type is so, and decoding one would never
// end). Structs and arrays are sized after their parts (depth first); the
// other kinds do not depend on their parts.
func sizeNodes(nodes []*shapeNode) error {
	const (
		unseen = iota
		active
		done
	)
	state := make(map[*shapeNode]int, len(nodes))
	var visit func(n *shapeNode) error
	visit = func(n *shapeNode) error {
		if n.kind != kStruct && n.kind != kArray {
			n.min = minSize(n)
			return nil
		}
		switch state[n] {
		case active:
			return corrupt("shape of a type that contains itself")
		case done:
			return nil
		}
		state[n] = active
		if n.kind == kArray {
			if err := visit(n.elem); err != nil {
				return err
			}
		}
		for _, f := range n.fields {
			if err := visit(f.s); err != nil {
				return err
			}
		}
		n.min = minSize(n)
		state[n] = done
		return nil
	}
	for _, n := range nodes {
		if err := visit(n); err != nil {
			return err
		}
	}
	return nil
}
