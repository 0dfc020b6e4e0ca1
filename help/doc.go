// Package help finds documentation and completion data for the Go packages a
// cell can import: the standard library as yaegi offers it, and packages the
// kernel adds (such as "mp" and "display") through [Register].
//
// The evaluator uses it for inspect_request (Shift-Tab), for `?fmt.Println`
// help pages and for completion; it knows nothing about Jupyter beyond
// rendering a [Doc] as a MIME bundle:
//
//	help.Register(display.Symbols, display.Source) // once, at start
//
//	if d, ok := help.Lookup("strings", "Builder.WriteString"); ok {
//		reply.Data = help.Bundle(d, detail) // text/plain and text/markdown
//	}
//	help.Members("strings") // completion after "strings."
//	help.Packages()         // completion inside an import
//
// Documentation comes from the Go sources: $GOROOT/src/<package> for the
// standard library (and "builtin" for len, append, error...), parsed with
// go/parser and go/doc on first use and cached; a registered package's
// sources come with it. When the sources are missing (a kernel installed
// without a Go tree), [Lookup] still answers with a signature built by
// reflection from the interpreter's symbol table, and says that the
// documentation is unavailable. All functions are safe for concurrent use.
package help
