package codec

import (
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by the errors of messages that are malformed or
// truncated (a sender that died mid-write, or not a message at all).
var ErrCorrupt = errors.New("mp: corrupt or truncated message")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// UnsupportedError is a value that cannot be copied to another process.
type UnsupportedError struct {
	Type   string // the type of the value being sent
	Path   string // where the offending part is inside it ("" if it is the value)
	Part   string // the offending part's type
	Reason string // what is wrong, and what to do instead where there is a way
}

func (e *UnsupportedError) Error() string {
	if e.Path == "" {
		return "mp: cannot send a value of type " + e.Type + ": " + e.Reason
	}
	return "mp: cannot send a value of type " + e.Type + ": " + e.Path + " is a " + e.Part + ": " + e.Reason
}

// TypeError is a received value that cannot be stored in the receiver's
// version of its type (the type changed in between, or cannot be resolved).
type TypeError struct {
	Type string // the type's name as sent, or a description
	Path string // where inside the value
	Msg  string
}

func (e *TypeError) Error() string {
	if e.Path == "" {
		return "mp: cannot receive a value of type " + e.Type + ": " + e.Msg
	}
	return "mp: cannot receive a value of type " + e.Type + ": " + e.Path + ": " + e.Msg
}

// Why values cannot be copied, as users read it.
const (
	whyChan     = "channels cannot be copied to another process (use an mp.Queue or an mp.Pipe)"
	whyFunc     = "functions cannot be copied to another process (pass data, and let the other process call its own functions)"
	whyUnsafe   = "unsafe pointers cannot be copied to another process"
	whyHidden   = "its unexported fields cannot be copied (the type has no MarshalBinary or GobEncode method)"
	whyUnnamed  = "its type cannot be named in another process"
	whyBox      = "this interpreter value cannot be read"
	whyTooDeep  = "it is nested too deeply (more than 10000 levels: a cycle through a slice or an interface?)"
	maxDepth    = 10000
	whyNoShared = "no SharedResolver was given to plug in shared objects"
)
