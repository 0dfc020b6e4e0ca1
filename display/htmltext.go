package display

import (
	"html"
	"strings"
)

// htmlToText makes a readable plain-text alternative of an HTML fragment for
// consoles and text exports: tags are dropped, block-level ends become line
// breaks, entities are decoded, and script/style contents are left out. It is
// not an HTML parser and does not try to be one; a notebook frontend shows
// the HTML itself.
func htmlToText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:lt])
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 { // a lone '<' is text
			b.WriteString(s[lt:])
			break
		}
		tag := strings.ToLower(tagName(s[lt+1 : lt+gt]))
		s = s[lt+gt+1:]
		switch tag {
		case "script", "style":
			end := strings.Index(strings.ToLower(s), "</"+tag)
			if end < 0 {
				s = ""
			} else {
				s = s[end:]
			}
		case "br", "/p", "/div", "/li", "/tr", "/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "/pre", "/table":
			b.WriteByte('\n')
		case "td", "th":
			b.WriteByte(' ')
		}
	}
	return tidyLines(html.UnescapeString(b.String()))
}

// tagName returns the name of a tag from its inside ("a href=..." → "a",
// "/p" → "/p", "br/" → "br").
func tagName(inside string) string {
	inside = strings.TrimSpace(inside)
	end := strings.IndexAny(inside, " \t\r\n/")
	if end == 0 && strings.HasPrefix(inside, "/") { // closing tag
		rest := tagName(inside[1:])
		return "/" + rest
	}
	if end < 0 {
		return inside
	}
	return inside[:end]
}

// tidyLines trims each line and drops empty ones, so that indentation and
// blank lines of the HTML source do not leak into the text.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}
