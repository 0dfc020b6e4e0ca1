// Package logo holds the kernel logos that Jupyter shows for gomp.
//
// The PNGs are committed, and embedded here so the gomp binary can write a
// complete kernelspec without reading files beside it; they are made by
// gen.go from the geometry in draw.go (`go generate ./logo`), and a test checks
// that they still match it. The package exists because go:embed cannot reach
// files outside the embedding package's directory.
package logo

import _ "embed" // for go:embed

//go:generate go run gen.go

// PNG32 is logo-32x32.png, the size Jupyter's kernel menus use.
//
//go:embed logo-32x32.png
var PNG32 []byte

// PNG64 is logo-64x64.png, the size of the launcher tiles.
//
//go:embed logo-64x64.png
var PNG64 []byte
