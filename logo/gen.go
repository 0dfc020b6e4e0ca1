//go:build ignore

// gen writes logo-32x32.png and logo-64x64.png from the geometry in draw.go.
// Run it with `go generate ./logo` from the module root.
package main

import (
	"fmt"
	"image/png"
	"log"
	"os"

	"gomp/logo"
)

func main() {
	for _, size := range []int{32, 64} {
		name := fmt.Sprintf("logo-%dx%d.png", size, size)
		f, err := os.Create(name)
		if err != nil {
			log.Fatal(err)
		}
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(f, logo.Draw(size)); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
