package mp

import "embed"

// Source holds this package's Go files so that package help can show the
// documentation of mp's API in Shift-Tab and `?mp.NewProcess`, where GOROOT
// has no source for it:
//
//	help.Register(mp.Symbols, mp.Source)
//
// (help skips the _test.go files that the pattern also matches.)
//
//go:embed *.go
var Source embed.FS
