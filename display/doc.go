// Package display shows rich output (HTML, Markdown, SVG, images, JSON) in a
// notebook cell, and updates it in place.
//
// Cells import it as "display":
//
//	import "display"
//
//	display.Markdown("## Resultados")
//	display.HTML("<b>¡Hola!</b>")
//
//	h := display.NewHandle()
//	h.Text("esperando…")
//	h.Text("listo") // replaces the text above instead of adding a new output
//
//	p := display.NewProgress(1000)
//	for i := 0; i < 1000; i++ {
//		p.Add(1) // cheap: the bar is redrawn at most 10 times a second
//	}
//
// None of the functions and methods return a value, so a call as the last
// line of a cell shows only the output it displays, never a result after it.
//
// Every output carries a text/plain alternative, which is what consoles,
// `jupyter nbconvert --to script` and child processes show.
//
// # Where output goes
//
// The kernel's evaluator calls [SetOutput] when a cell starts; everything
// displayed from then on, also by goroutines that earlier cells started, goes
// to that cell's output. Without an output (SetOutput never called, as in a
// child process of package mp) displays print their text/plain alternative
// to os.Stdout, one line per display, and Clear does nothing.
//
// SetOutput and [Flush] are for the evaluator (Go code); cells cannot reach
// them, because [Symbols] does not export them.
package display
