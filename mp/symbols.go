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

		// Pool (pool*.go)
		"NewPool":           reflect.ValueOf(NewPool),
		"Initializer":       reflect.ValueOf(Initializer),
		"MaxTasksPerChild":  reflect.ValueOf(MaxTasksPerChild),
		"Chunksize":         reflect.ValueOf(Chunksize),
		"ShowProgress":      reflect.ValueOf(ShowProgress),
		"ErrTimeout":        reflect.ValueOf(&ErrTimeout).Elem(),
		"ErrWorkerDied":     reflect.ValueOf(&ErrWorkerDied).Elem(),
		"ErrPoolTerminated": reflect.ValueOf(&ErrPoolTerminated).Elem(),
		"ErrInterrupted":    reflect.ValueOf(&ErrInterrupted).Elem(),
		"ErrInitializer":    reflect.ValueOf(&ErrInitializer).Elem(),

		// type definitions
		"ExitCode": reflect.ValueOf((*ExitCode)(nil)),
		"Process":  reflect.ValueOf((*Process)(nil)),

		// Pool types (pool*.go)
		"Pool":        reflect.ValueOf((*Pool)(nil)),
		"PoolOption":  reflect.ValueOf((*PoolOption)(nil)),
		"MapOption":   reflect.ValueOf((*MapOption)(nil)),
		"AsyncResult": reflect.ValueOf((*AsyncResult)(nil)),
		"Iterator":    reflect.ValueOf((*Iterator)(nil)),
		"TaskError":   reflect.ValueOf((*TaskError)(nil)),
	},
}
