package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"gomp/backend"
)

// The builders below turn what a cell passes into MIME bundles. Each bundle
// has a text/plain alternative: the protocol does not require one, but
// consoles, nbconvert's text exports and the stdout fallback need it.

func htmlBundle(s string) backend.MIMEBundle {
	return backend.MIMEBundle{"text/html": s, "text/plain": htmlToText(s)}
}

// markdownBundle uses the Markdown source as its own plain text: it is
// written to be readable as it is.
func markdownBundle(s string) backend.MIMEBundle {
	return backend.MIMEBundle{"text/markdown": s, "text/plain": s}
}

func svgBundle(s string) backend.MIMEBundle {
	return backend.MIMEBundle{"image/svg+xml": s, "text/plain": "<SVG image>"}
}

// imageBundle encodes binary image data in base64, as the messaging spec
// wants binary MIME types inside JSON messages.
func imageBundle(mime string, b []byte) backend.MIMEBundle {
	return backend.MIMEBundle{
		mime:         base64.StdEncoding.EncodeToString(b),
		"text/plain": fmt.Sprintf("<%s image, %d bytes>", mime, len(b)),
	}
}

func textBundle(s string) backend.MIMEBundle {
	return backend.MIMEBundle{"text/plain": s}
}

// jsonBundle marshals v. The application/json entry is the decoded JSON
// value (maps, slices, json.Number...) rather than raw bytes, so that it
// nests as JSON in the message however the kernel serialises the bundle.
func jsonBundle(v any) (backend.MIMEBundle, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("display.JSON: cannot marshal %T: %w", v, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep large integers exact
	var value any
	if err := dec.Decode(&value); err != nil {
		return nil, fmt.Errorf("display.JSON: re-reading marshalled %T: %w", v, err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, raw, "", "  "); err != nil {
		return nil, fmt.Errorf("display.JSON: indenting marshalled %T: %w", v, err)
	}
	return backend.MIMEBundle{"application/json": value, "text/plain": indented.String()}, nil
}

// dataBundle copies a bundle a cell built by hand. []byte values are
// converted to what the protocol expects: base64 for binary image types,
// text for everything else. A missing text/plain is derived from the
// richest entry that has a readable form.
func dataBundle(in map[string]any) backend.MIMEBundle {
	out := make(backend.MIMEBundle, len(in)+1)
	for mime, v := range in {
		if b, ok := v.([]byte); ok {
			if isBinaryMIME(mime) {
				v = base64.StdEncoding.EncodeToString(b)
			} else {
				v = string(b)
			}
		}
		out[mime] = v
	}
	if _, ok := out["text/plain"]; !ok {
		out["text/plain"] = plainAlternative(out)
	}
	return out
}

// isBinaryMIME tells whether a MIME type's data travels base64-encoded.
// SVG is an image type but XML text.
func isBinaryMIME(mime string) bool {
	return strings.HasPrefix(mime, "image/") && mime != "image/svg+xml"
}

func plainAlternative(b backend.MIMEBundle) string {
	if s, ok := b["text/markdown"].(string); ok {
		return s
	}
	if s, ok := b["text/html"].(string); ok {
		return htmlToText(s)
	}
	if v, ok := b["application/json"]; ok {
		if raw, err := json.MarshalIndent(v, "", "  "); err == nil {
			return string(raw)
		}
	}
	mimes := make([]string, 0, len(b))
	for mime := range b {
		mimes = append(mimes, mime)
	}
	sort.Strings(mimes)
	return "<" + strings.Join(mimes, ", ") + " output>"
}
