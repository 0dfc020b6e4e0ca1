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
		"Address":        reflect.ValueOf(Address),
		"AuthKey":        reflect.ValueOf(AuthKey),
		"ConnectManager": reflect.ValueOf(ConnectManager),
		"ErrAuth":        reflect.ValueOf(&ErrAuth).Elem(),
		"ErrEmpty":       reflect.ValueOf(&ErrEmpty).Elem(),
		"ErrFull":        reflect.ValueOf(&ErrFull).Elem(),
		"NewManager":     reflect.ValueOf(NewManager),
		"CPUCount":       reflect.ValueOf(CPUCount),
		"CurrentProcess": reflect.ValueOf(CurrentProcess),
		"NewProcess":     reflect.ValueOf(NewProcess),
		"NotStarted":     reflect.ValueOf(NotStarted),
		"ParentProcess":  reflect.ValueOf(ParentProcess),
		"Running":        reflect.ValueOf(Running),

		// type definitions
		"DictProxy":      reflect.ValueOf((*DictProxy)(nil)),
		"ExitCode":       reflect.ValueOf((*ExitCode)(nil)),
		"ListProxy":      reflect.ValueOf((*ListProxy)(nil)),
		"LockProxy":      reflect.ValueOf((*LockProxy)(nil)),
		"Manager":        reflect.ValueOf((*Manager)(nil)),
		"ManagerOption":  reflect.ValueOf((*ManagerOption)(nil)),
		"NamespaceProxy": reflect.ValueOf((*NamespaceProxy)(nil)),
		"Process":        reflect.ValueOf((*Process)(nil)),
		"QueueProxy":     reflect.ValueOf((*QueueProxy)(nil)),
		"ValueProxy":     reflect.ValueOf((*ValueProxy)(nil)),
	},
}
