package display

import "embed"

// Source holds this package's Go files so that package help can show the
// documentation of display's API in Shift-Tab and `?display.HTML`, where
// GOROOT has no source for it:
//
//	help.Register(display.Symbols, display.Source)
//
// (help skips the _test.go files that the pattern also matches.)
//
//go:embed *.go
var Source embed.FS
