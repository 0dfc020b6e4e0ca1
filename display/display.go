package display

import (
	"gomp/backend"
)

// HTML shows an HTML fragment.
func HTML(s string) { show(htmlBundle(s)) }

// Markdown shows Markdown text (CommonMark, with LaTeX between $ signs in
// JupyterLab).
func Markdown(s string) { show(markdownBundle(s)) }

// SVG shows an SVG image given as its XML source.
func SVG(s string) { show(svgBundle(s)) }

// PNG shows a PNG image given as its encoded bytes (what image/png's Encode
// writes).
func PNG(b []byte) { show(imageBundle("image/png", b)) }

// JPEG shows a JPEG image given as its encoded bytes.
func JPEG(b []byte) { show(imageBundle("image/jpeg", b)) }

// JSON shows v marshalled with encoding/json, as a JSON tree where the
// frontend supports it. When v cannot be marshalled (a channel, a func, a
// cycle...) the error is written to the cell's stderr and nothing is shown.
func JSON(v any) {
	b, err := jsonBundle(v)
	if err != nil {
		output().Stream("stderr", err.Error()+"\n")
		return
	}
	show(b)
}

// Text shows plain text as a display, not as printed output: unlike
// fmt.Println it can be cleared, and it does not mix with stdout.
func Text(s string) { show(textBundle(s)) }

// Data shows a MIME bundle: keys are MIME types, values their data
// (strings, or values that marshal to JSON for application/json types).
// []byte values for binary image types are base64-encoded; a text/plain
// alternative is added when the bundle has none. An empty bundle shows
// nothing.
func Data(bundle map[string]any) {
	if len(bundle) == 0 {
		return
	}
	show(dataBundle(bundle))
}

// Clear clears the cell's output. With wait, the output is cleared only when
// new output arrives, which avoids flicker when redrawing in a loop.
func Clear(wait bool) { output().ClearOutput(wait) }

func show(b backend.MIMEBundle) {
	output().Display(backend.Display{Data: b, Metadata: map[string]any{}})
}
