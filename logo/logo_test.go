package logo

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// The committed PNGs must be what draw.go makes; if this fails after a change
// to draw.go, run `go generate ./logo`.
func TestPNGsMatchDrawing(t *testing.T) {
	for _, tc := range []struct {
		size int
		data []byte
	}{{32, PNG32}, {64, PNG64}} {
		img, err := png.Decode(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("logo-%dx%d.png: %v", tc.size, tc.size, err)
		}
		if got := img.Bounds(); got != image.Rect(0, 0, tc.size, tc.size) {
			t.Fatalf("logo-%dx%d.png is %v", tc.size, tc.size, got)
		}
		want := Draw(tc.size)
		for y := 0; y < tc.size; y++ {
			for x := 0; x < tc.size; x++ {
				r1, g1, b1, a1 := img.At(x, y).RGBA()
				r2, g2, b2, a2 := want.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
					t.Fatalf("logo-%dx%d.png differs from Draw at (%d,%d); run go generate ./logo", tc.size, tc.size, x, y)
				}
			}
		}
	}
}
