package display

import (
	"sync"

	"github.com/google/uuid"

	"gomp/backend"
)

// A Handle is one output that can be replaced in place: its first call shows
// the output, later calls replace it (update_display_data), wherever it is —
// also in the output of an earlier cell. The zero Handle is ready to use;
// a Handle is safe for concurrent use.
//
//	h := display.NewHandle()
//	for i := 3; i > 0; i-- {
//		h.Text(fmt.Sprint(i, "…"))
//		time.Sleep(time.Second)
//	}
//	h.Markdown("**¡Ya!**")
type Handle struct {
	mu    sync.Mutex // orders show-then-update across goroutines
	id    string
	shown bool
	out   backend.Output // where it shows; nil: the running cell's (see NewProgressTo)
}

// NewHandle returns a Handle that has shown nothing yet.
func NewHandle() *Handle { return &Handle{} }

// ID returns the display_id the frontend knows this output by.
func (h *Handle) ID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.idLocked()
}

func (h *Handle) idLocked() string {
	if h.id == "" {
		h.id = uuid.NewString()
	}
	return h.id
}

// HTML shows or replaces the output with an HTML fragment.
func (h *Handle) HTML(s string) { h.show(htmlBundle(s)) }

// Markdown shows or replaces the output with Markdown text.
func (h *Handle) Markdown(s string) { h.show(markdownBundle(s)) }

// SVG shows or replaces the output with an SVG image.
func (h *Handle) SVG(s string) { h.show(svgBundle(s)) }

// PNG shows or replaces the output with a PNG image.
func (h *Handle) PNG(b []byte) { h.show(imageBundle("image/png", b)) }

// JPEG shows or replaces the output with a JPEG image.
func (h *Handle) JPEG(b []byte) { h.show(imageBundle("image/jpeg", b)) }

// JSON shows or replaces the output with v as JSON. When v cannot be
// marshalled the error goes to stderr and the output is left as it was.
func (h *Handle) JSON(v any) {
	b, err := jsonBundle(v)
	if err != nil {
		output().Stream("stderr", err.Error()+"\n")
		return
	}
	h.show(b)
}

// Text shows or replaces the output with plain text.
func (h *Handle) Text(s string) { h.show(textBundle(s)) }

// Data shows or replaces the output with a MIME bundle, as [Data] does.
func (h *Handle) Data(bundle map[string]any) { h.show(dataBundle(bundle)) }

// show sends a display_data the first time and update_display_data after.
// The send happens under the lock so that two goroutines cannot both send a
// "first" display, nor an update overtake the first display.
func (h *Handle) show(b backend.MIMEBundle) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.out
	if out == nil {
		out = output()
	}
	out.Display(backend.Display{
		Data:      b,
		Metadata:  map[string]any{},
		DisplayID: h.idLocked(),
		Update:    h.shown,
	})
	h.shown = true
}
