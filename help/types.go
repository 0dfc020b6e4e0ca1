package help

// Kind says what a documented name is.
type Kind string

const (
	KindPackage Kind = "package"
	KindFunc    Kind = "func"
	KindMethod  Kind = "method" // also an interface's method
	KindType    Kind = "type"
	KindField   Kind = "field"
	KindVar     Kind = "var"
	KindConst   Kind = "const"
)

// Doc is the documentation of one package or package-level name.
type Doc struct {
	ImportPath string // "strings"
	Name       string // "Builder.WriteString"; "" for the package itself
	Kind       Kind

	// Decl is the declaration as Go source without bodies, e.g.
	// "func Println(a ...any) (n int, err error)". For a type it lists the
	// exported fields (or interface methods) without their comments.
	Decl string

	Synopsis string // the first sentence of the doc comment
	Text     string // the doc comment as plain text, wrapped at 80 columns
	Markdown string // the doc comment as Markdown; doc links go to pkg.go.dev

	// For a type: declarations of the funcs that return it (constructors,
	// as go doc groups them) and of its methods, promoted ones included.
	Funcs   []string
	Methods []string

	Source   string // the declaration as written, comments and body included
	Position string // where Source starts: "strings/builder.go:16"
	URL      string // the pkg.go.dev page; "" for registered packages

	// Reflected is true when the package's Go sources were not found and
	// Decl was built by reflection from the interpreter's symbols: then
	// parameter names, the doc comment and the source are missing.
	Reflected bool
}

// Member is an exported name of a package.
type Member struct {
	Name string
	Kind Kind // KindFunc, KindType, KindVar or KindConst
}
