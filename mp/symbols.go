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
		"ActiveChildren":      reflect.ValueOf(ActiveChildren),
		"Address":             reflect.ValueOf(Address),
		"AuthKey":             reflect.ValueOf(AuthKey),
		"CPUCount":            reflect.ValueOf(CPUCount),
		"DefaultMaxProcesses": reflect.ValueOf(DefaultMaxProcesses),
		"CgroupLimits":        reflect.ValueOf(CgroupLimits),
		"Chunksize":           reflect.ValueOf(Chunksize),
		"ConnectManager":      reflect.ValueOf(ConnectManager),
		"CurrentProcess":      reflect.ValueOf(CurrentProcess),
		"ErrAuth":             reflect.ValueOf(&ErrAuth).Elem(),
		"ErrBrokenBarrier":    reflect.ValueOf(ErrBrokenBarrier),
		"ErrBrokenPipe":       reflect.ValueOf(&ErrBrokenPipe).Elem(),
		"ErrClosed":           reflect.ValueOf(&ErrClosed).Elem(),
		"ErrEmpty":            reflect.ValueOf(&ErrEmpty).Elem(),
		"ErrFull":             reflect.ValueOf(&ErrFull).Elem(),
		"ErrInitializer":      reflect.ValueOf(&ErrInitializer).Elem(),
		"ErrInterrupted":      reflect.ValueOf(&ErrInterrupted).Elem(),
		"ErrPoolTerminated":   reflect.ValueOf(&ErrPoolTerminated).Elem(),
		"ErrTimeout":          reflect.ValueOf(&ErrTimeout).Elem(),
		"ErrTooManyProcesses": reflect.ValueOf(&ErrTooManyProcesses).Elem(),
		"ErrWorkerDied":       reflect.ValueOf(&ErrWorkerDied).Elem(),
		"Initializer":         reflect.ValueOf(Initializer),
		"MaxProcesses":        reflect.ValueOf(MaxProcesses),
		"MaxProcessesEnv":     reflect.ValueOf(MaxProcessesEnv),
		"MaxTasksPerChild":    reflect.ValueOf(MaxTasksPerChild),
		"NewArray":            reflect.ValueOf(NewArray),
		"NewBarrier":          reflect.ValueOf(NewBarrier),
		"NewBoundedSemaphore": reflect.ValueOf(NewBoundedSemaphore),
		"NewCondition":        reflect.ValueOf(NewCondition),
		"NewEvent":            reflect.ValueOf(NewEvent),
		"NewJoinableQueue":    reflect.ValueOf(NewJoinableQueue),
		"NewLock":             reflect.ValueOf(NewLock),
		"NewManager":          reflect.ValueOf(NewManager),
		"NewPool":             reflect.ValueOf(NewPool),
		"NewProcess":          reflect.ValueOf(NewProcess),
		"NewQueue":            reflect.ValueOf(NewQueue),
		"NewRLock":            reflect.ValueOf(NewRLock),
		"NewSemaphore":        reflect.ValueOf(NewSemaphore),
		"NewSimpleQueue":      reflect.ValueOf(NewSimpleQueue),
		"NewTimeline":         reflect.ValueOf(NewTimeline),
		"NewValue":            reflect.ValueOf(NewValue),
		"NotStarted":          reflect.ValueOf(NotStarted),
		"ParentProcess":       reflect.ValueOf(ParentProcess),
		"Pipe":                reflect.ValueOf(Pipe),
		"Running":             reflect.ValueOf(Running),
		"SetMaxProcesses":     reflect.ValueOf(SetMaxProcesses),
		"ShowProgress":        reflect.ValueOf(ShowProgress),

		// type definitions
		"Array":            reflect.ValueOf((*Array)(nil)),
		"AsyncResult":      reflect.ValueOf((*AsyncResult)(nil)),
		"Barrier":          reflect.ValueOf((*Barrier)(nil)),
		"BoundedSemaphore": reflect.ValueOf((*BoundedSemaphore)(nil)),
		"Condition":        reflect.ValueOf((*Condition)(nil)),
		"Conn":             reflect.ValueOf((*Conn)(nil)),
		"DictProxy":        reflect.ValueOf((*DictProxy)(nil)),
		"Event":            reflect.ValueOf((*Event)(nil)),
		"ExitCode":         reflect.ValueOf((*ExitCode)(nil)),
		"Iterator":         reflect.ValueOf((*Iterator)(nil)),
		"Limits":           reflect.ValueOf((*Limits)(nil)),
		"JoinableQueue":    reflect.ValueOf((*JoinableQueue)(nil)),
		"ListProxy":        reflect.ValueOf((*ListProxy)(nil)),
		"Lock":             reflect.ValueOf((*Lock)(nil)),
		"LockProxy":        reflect.ValueOf((*LockProxy)(nil)),
		"Manager":          reflect.ValueOf((*Manager)(nil)),
		"ManagerOption":    reflect.ValueOf((*ManagerOption)(nil)),
		"MapOption":        reflect.ValueOf((*MapOption)(nil)),
		"NamespaceProxy":   reflect.ValueOf((*NamespaceProxy)(nil)),
		"Pool":             reflect.ValueOf((*Pool)(nil)),
		"PoolOption":       reflect.ValueOf((*PoolOption)(nil)),
		"Process":          reflect.ValueOf((*Process)(nil)),
		"Queue":            reflect.ValueOf((*Queue)(nil)),
		"QueueProxy":       reflect.ValueOf((*QueueProxy)(nil)),
		"RLock":            reflect.ValueOf((*RLock)(nil)),
		"Semaphore":        reflect.ValueOf((*Semaphore)(nil)),
		"SimpleQueue":      reflect.ValueOf((*SimpleQueue)(nil)),
		"TaskError":        reflect.ValueOf((*TaskError)(nil)),
		"Timeline":         reflect.ValueOf((*Timeline)(nil)),
		"Value":            reflect.ValueOf((*Value)(nil)),
		"ValueProxy":       reflect.ValueOf((*ValueProxy)(nil)),
	},
}
