// Symbols for the yaegi interpreter, in the format `yaegi extract` writes,
// kept by hand (TestSymbolsCoverExportedAPI fails when they drift from the
// package). SetOutput and Flush are left out on purpose: they belong to the
// evaluator, not to cells.

package display

import (
	"reflect"

	"github.com/traefik/yaegi/interp"
)

// Symbols exports the cell-facing API to an interpreter:
//
//	i.Use(display.Symbols)
//
// makes `import "display"` work in cells. The key is "<import path>/<package
// name>", which yaegi splits with path.Dir and path.Base.
var Symbols = interp.Exports{
	"display/display": {
		// function, constant and variable definitions
		"Clear":       reflect.ValueOf(Clear),
		"Data":        reflect.ValueOf(Data),
		"HTML":        reflect.ValueOf(HTML),
		"JPEG":        reflect.ValueOf(JPEG),
		"JSON":        reflect.ValueOf(JSON),
		"Markdown":    reflect.ValueOf(Markdown),
		"NewHandle":   reflect.ValueOf(NewHandle),
		"NewProgress": reflect.ValueOf(NewProgress),
		"PNG":         reflect.ValueOf(PNG),
		"SVG":         reflect.ValueOf(SVG),
		"Text":        reflect.ValueOf(Text),

		// type definitions
		"Handle":   reflect.ValueOf((*Handle)(nil)),
		"Progress": reflect.ValueOf((*Progress)(nil)),
	},
}
