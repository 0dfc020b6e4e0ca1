// Symbols for the yaegi interpreter, in the format `yaegi extract` writes,
// kept by hand (TestSymbolsCoverExportedAPI fails when they drift from the
// package). SetHost, Prewarm, RunChild and Shutdown are left out on
// purpose: they belong to the evaluator and main, not to cells.

package mp

import (
	"reflect"

	"github.com/traefik/yaegi/interp"
)

// Symbols exports the cell-facing API to an interpreter:
//
//	i.Use(mp.Symbols)
//
// makes `import "mp"` work in cells.
var Symbols = interp.Exports{
	"mp/mp": {
		// function, constant and variable definitions
		"ActiveChildren": reflect.ValueOf(ActiveChildren),
		"CPUCount":       reflect.ValueOf(CPUCount),
		"CurrentProcess": reflect.ValueOf(CurrentProcess),
		"NewProcess":     reflect.ValueOf(NewProcess),
		"NotStarted":     reflect.ValueOf(NotStarted),
		"ParentProcess":  reflect.ValueOf(ParentProcess),
		"Running":        reflect.ValueOf(Running),

		// queues and pipes (queue.go, pipe.go)
		"ErrBrokenPipe":    reflect.ValueOf(&ErrBrokenPipe).Elem(),
		"ErrClosed":        reflect.ValueOf(&ErrClosed).Elem(),
		"ErrEmpty":         reflect.ValueOf(&ErrEmpty).Elem(),
		"ErrFull":          reflect.ValueOf(&ErrFull).Elem(),
		"NewJoinableQueue": reflect.ValueOf(NewJoinableQueue),
		"NewQueue":         reflect.ValueOf(NewQueue),
		"NewSimpleQueue":   reflect.ValueOf(NewSimpleQueue),
		"Pipe":             reflect.ValueOf(Pipe),

		// type definitions
		"ExitCode": reflect.ValueOf((*ExitCode)(nil)),
		"Process":  reflect.ValueOf((*Process)(nil)),

		// queues and pipes
		"Conn":          reflect.ValueOf((*Conn)(nil)),
		"JoinableQueue": reflect.ValueOf((*JoinableQueue)(nil)),
		"Queue":         reflect.ValueOf((*Queue)(nil)),
		"SimpleQueue":   reflect.ValueOf((*SimpleQueue)(nil)),
	},
}
