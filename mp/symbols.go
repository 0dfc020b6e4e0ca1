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
		"NewTimeline":    reflect.ValueOf(NewTimeline),
		"NotStarted":     reflect.ValueOf(NotStarted),
		"ParentProcess":  reflect.ValueOf(ParentProcess),
		"Running":        reflect.ValueOf(Running),

		// synchronisation and shared values (lock.go, sync*.go, value.go)
		"ErrBrokenBarrier":    reflect.ValueOf(ErrBrokenBarrier),
		"NewArray":            reflect.ValueOf(NewArray),
		"NewBarrier":          reflect.ValueOf(NewBarrier),
		"NewBoundedSemaphore": reflect.ValueOf(NewBoundedSemaphore),
		"NewCondition":        reflect.ValueOf(NewCondition),
		"NewEvent":            reflect.ValueOf(NewEvent),
		"NewLock":             reflect.ValueOf(NewLock),
		"NewRLock":            reflect.ValueOf(NewRLock),
		"NewSemaphore":        reflect.ValueOf(NewSemaphore),
		"NewValue":            reflect.ValueOf(NewValue),

		// type definitions
		"ExitCode": reflect.ValueOf((*ExitCode)(nil)),
		"Process":  reflect.ValueOf((*Process)(nil)),
		"Timeline": reflect.ValueOf((*Timeline)(nil)),

		"Array":            reflect.ValueOf((*Array)(nil)),
		"Barrier":          reflect.ValueOf((*Barrier)(nil)),
		"BoundedSemaphore": reflect.ValueOf((*BoundedSemaphore)(nil)),
		"Condition":        reflect.ValueOf((*Condition)(nil)),
		"Event":            reflect.ValueOf((*Event)(nil)),
		"Lock":             reflect.ValueOf((*Lock)(nil)),
		"RLock":            reflect.ValueOf((*RLock)(nil)),
		"Semaphore":        reflect.ValueOf((*Semaphore)(nil)),
		"Value":            reflect.ValueOf((*Value)(nil)),
	},
}
