package mp

import (
	"context"
	"fmt"
	"reflect"

	"gomp/backend"
)

// Host is what mp needs from the interpreter that runs the notebook's code
// (package eval implements it; mp never imports eval). In the kernel it is
// the notebook's session; in a child process, the child's session, rebuilt
// from a Snapshot.
type Host interface {
	// Identify tells which top-level function or method fn is, without
	// running it. A closure (function literal) is an error that says what to
	// do instead; so is a value that is not a function.
	Identify(fn reflect.Value) (Target, error)

	// Snapshot returns what a child needs to rebuild the session: the source
	// of its imports and declarations, and its global variables.
	Snapshot() (*Snapshot, error)

	// TypeName writes a type as Go source that ResolveType (in this or
	// another process of the same session) turns back into the type: "int",
	// "[]Worker", "map[string]*Point", "time.Duration". False when the type
	// cannot be named (a func type of a closure, an unexported type...).
	TypeName(t reflect.Type) (string, bool)

	// ResolveType is TypeName's inverse in this process's interpreter.
	ResolveType(name string) (reflect.Type, error)

	// Call runs a target with arguments in this process and returns when it
	// returns. A panic of the target is returned as a *TargetPanic; os.Exit(n)
	// as an *ExitRequest.
	Call(t Target, args []reflect.Value) error

	// Prepare finds a target once, for a Pool's worker that calls it for
	// many tasks: the function it returns calls the target with arguments
	// and returns its results, a panic as a *TargetPanic and os.Exit(n) as
	// an *ExitRequest, as Call does.
	Prepare(t Target) (func(args []reflect.Value) ([]reflect.Value, error), error)

	// SetGlobal gives a global variable of the session a value (a child sets
	// the parent's globals so).
	SetGlobal(name string, v reflect.Value) error

	// Cell describes the running cell (in the kernel): where output of what
	// it starts goes, and a channel closed if that cell is interrupted. The
	// zero CellInfo (no cell runs, or a child process) means: write to this
	// process's stdout and stderr, never interrupted.
	Cell() CellInfo
}

// CellInfo is the cell on whose behalf mp acts.
type CellInfo struct {
	ID          int64           // distinct per executed cell; 0 outside cells
	Output      backend.Output  // where its children's output goes; nil: os.Stdout/os.Stderr
	Interrupted <-chan struct{} // closed when the cell is interrupted (not when it ends)
	Context     context.Context // cancelled when the cell is interrupted; blocking mp calls use it
}

// Target is a function a process runs, named so another process can find it.
type Target struct {
	// Func is "worker" for a top-level function, "Worker.Run" for a method
	// with a value receiver, "(*Worker).Run" for a pointer receiver, or
	// "pkg.Func" for a compiled function of a package the session imports
	// (e.g. "fmt.Println").
	Func string
	// Recv is the receiver of a method value, to be copied to the child;
	// invalid for functions.
	Recv reflect.Value
}

// Snapshot is the session as a child needs it.
type Snapshot struct {
	// Session is the session's code (imports and declarations, with the
	// cells they came from, for tracebacks), in a form only the Host
	// understands: mp carries it verbatim to the child and gives it to the
	// child's newHost. Equal bytes mean an equal session, so a warm child
	// that already replayed these bytes need not replay them again.
	Session []byte
	// Globals are the session's global variables (name → value) whose values
	// are copied into the child, where they are already declared (by
	// Session) and are set with Host.SetGlobal. Values that cannot be copied
	// (channels, funcs) are left at their zero value there.
	Globals map[string]reflect.Value
}

// TargetPanic is a target's uncaught panic.
type TargetPanic struct {
	Value     any
	Traceback []string // lines naming cells, innermost first
}

func (p *TargetPanic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// ExitRequest is os.Exit(Code) called by a target.
type ExitRequest struct{ Code int }

func (e *ExitRequest) Error() string { return fmt.Sprintf("os.Exit(%d)", e.Code) }
