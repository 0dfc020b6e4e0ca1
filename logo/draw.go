package logo

import (
	"image"
	"image/color"
	"math"
)

// The logo is drawn from geometry rather than kept as an opaque image so the
// PNGs can be regenerated at any size and a test can check that the committed
// files still come from this source. It shows one process forking into three
// on Go's cyan: gomp is Go for teaching multiprocessing.

var (
	goCyan = color.NRGBA{R: 0x00, G: 0xAD, B: 0xD8, A: 0xFF}
	white  = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF}
)

type point struct{ x, y float64 }

var (
	parent   = point{0.27, 0.50}
	children = []point{{0.76, 0.22}, {0.76, 0.50}, {0.76, 0.78}}
)

const (
	corner      = 0.20 // radius of the background's rounded corners
	parentR     = 0.11
	childR      = 0.085
	strokeWidth = 0.065
	samples     = 8 // supersampling per axis, for anti-aliased edges
)

// Draw renders the logo as a size×size image.
func Draw(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var bg, fg int
			for sy := 0; sy < samples; sy++ {
				for sx := 0; sx < samples; sx++ {
					p := point{
						(float64(px) + (float64(sx)+0.5)/samples) / float64(size),
						(float64(py) + (float64(sy)+0.5)/samples) / float64(size),
					}
					if !inRoundedSquare(p) {
						continue
					}
					bg++
					if inGlyph(p) {
						fg++
					}
				}
			}
			img.SetNRGBA(px, py, blend(bg, fg, samples*samples))
		}
	}
	return img
}

// blend turns sample counts into a pixel: fg of the bg covered samples are
// white, the rest cyan, and the uncovered ones transparent.
func blend(bg, fg, total int) color.NRGBA {
	if bg == 0 {
		return color.NRGBA{}
	}
	mix := func(a, b uint8) uint8 {
		return uint8((int(a)*(bg-fg) + int(b)*fg + bg/2) / bg)
	}
	return color.NRGBA{
		R: mix(goCyan.R, white.R),
		G: mix(goCyan.G, white.G),
		B: mix(goCyan.B, white.B),
		A: uint8((255*bg + total/2) / total),
	}
}

func inRoundedSquare(p point) bool {
	// Distance from the inner square [corner, 1-corner]² must not exceed corner.
	dx := math.Max(0, math.Max(corner-p.x, p.x-(1-corner)))
	dy := math.Max(0, math.Max(corner-p.y, p.y-(1-corner)))
	return dx*dx+dy*dy <= corner*corner
}

func inGlyph(p point) bool {
	if dist(p, parent) <= parentR {
		return true
	}
	for _, c := range children {
		if dist(p, c) <= childR || distToSegment(p, parent, c) <= strokeWidth/2 {
			return true
		}
	}
	return false
}

func dist(a, b point) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }

func distToSegment(p, a, b point) float64 {
	vx, vy := b.x-a.x, b.y-a.y
	t := ((p.x-a.x)*vx + (p.y-a.y)*vy) / (vx*vx + vy*vy)
	t = math.Max(0, math.Min(1, t))
	return dist(p, point{a.x + t*vx, a.y + t*vy})
}
