package codec

// Skipping reads past a value the receiver has no place for (a field its
// version of a struct lacks), by the sender's shape alone: no type is
// resolved. Objects inside still take their numbers, so later references
// stay in step; a reference to a skipped object is an error. Nesting is
// counted where the encoder counts it (pointers, slices, maps, interfaces);
// structs and arrays cannot nest forever, since shapes where they contain
// themselves are refused when parsed.

import "reflect"

func (d *decoder) skip(s *shapeNode) error {
	switch s.kind {
	case kSlice, kMap, kPtr, kIface:
		if err := d.enter(); err != nil {
			return err
		}
		defer func() { d.depth-- }()
	}
	switch s.kind {
	case kZero:
		return nil
	case kBool, kInt8, kUint8:
		_, err := d.next(1)
		return err
	case kInt, kInt16, kInt32, kInt64, kUint, kUint16, kUint32, kUint64, kUintptr:
		_, err := d.uvarint()
		return err
	case kFloat32, kFloat64, kComplex64, kComplex128:
		_, err := d.next(uint64(s.min))
		return err
	case kString, kBinary, kGob:
		_, err := d.bytes()
		return err
	case kBytes:
		n, err := d.uvarint()
		if err == nil && n > 0 {
			_, err = d.next(n - 1)
		}
		return err
	case kSlice:
		n, err := d.uvarint()
		if err != nil || n == 0 {
			return err
		}
		return d.skipN(n-1, s.elem)
	case kArray:
		return d.skipN(uint64(s.n), s.elem)
	case kMap:
		tag, err := d.skipRef()
		if err != nil || tag != refNew {
			return err
		}
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		if s.key.min+s.elem.min == 0 && n > 1 {
			return corrupt("%d entries of a map whose keys are all alike", n)
		}
		if err := d.count(n, s.key.min+s.elem.min, 0); err != nil {
			return err
		}
		for range n {
			if err := d.skip(s.key); err != nil {
				return err
			}
			if err := d.skip(s.elem); err != nil {
				return err
			}
		}
		return nil
	case kPtr:
		tag, err := d.skipRef()
		if err != nil || tag != refNew {
			return err
		}
		return d.skip(s.elem)
	case kStruct:
		for _, f := range s.fields {
			if err := d.skip(f.s); err != nil {
				return err
			}
		}
		return nil
	case kIface:
		return d.skipDynamic()
	case kShared:
		return d.skipShared()
	}
	return corrupt("unknown kind %d in shape", s.kind)
}

func (d *decoder) skipN(n uint64, elem *shapeNode) error {
	if err := d.count(n, elem.min, 0); err != nil || elem.min == 0 {
		return err // elements of no bytes need no reading
	}
	for range n {
		if err := d.skip(elem); err != nil {
			return err
		}
	}
	return nil
}

// skipRef reads the tag of a pointer or map, numbering a new object.
func (d *decoder) skipRef() (uint64, error) {
	tag, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	switch {
	case tag == refNew:
		d.refs = append(d.refs, reflect.Value{})
	case tag >= refOld && tag-refOld >= uint64(len(d.refs)):
		return 0, corrupt("reference to object %d of %d", tag-refOld, len(d.refs))
	}
	return tag, nil
}

func (d *decoder) skipShared() error {
	tag, err := d.uvarint()
	if err != nil || tag == refNil {
		return err
	}
	if tag != refNew {
		return corrupt("bad shared object tag %d", tag)
	}
	if _, err := d.bytes(); err != nil {
		return err
	}
	_, err = d.uvarint()
	return err
}

func (d *decoder) skipDynamic() error {
	code, err := d.uvarint()
	if err != nil {
		return err
	}
	if code == kBoxed {
		if code, err = d.uvarint(); err != nil {
			return err
		}
		if code == kBoxed || code == kNil {
			return corrupt("bad boxed value")
		}
	}
	switch {
	case code == kNil:
		return nil
	case code >= kBool && code <= kBytes:
		return d.skip(basicShapes[code])
	case code == kErrString:
		_, err := d.bytes()
		return err
	case code == kShared:
		return d.skipShared()
	}
	i, err := d.entry(code)
	if err != nil {
		return err
	}
	return d.skip(d.entries[i].shape.root)
}

// basicShapes are the shapes of the predeclared types.
var basicShapes = func() (s [kBytes + 1]*shapeNode) {
	for k := byte(kBool); k <= kBytes; k++ {
		s[k] = &shapeNode{kind: k}
		s[k].min = minSize(s[k])
	}
	return s
}()
