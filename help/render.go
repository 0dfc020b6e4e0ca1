package help

import (
	"strings"
)

// Bundle renders d as a MIME bundle for an inspect_reply or a help page:
// text/plain (the declaration, then the doc) and text/markdown (the
// declaration in a Go code block, then the doc). detail 0 is the summary
// Shift-Tab shows; detail 1 adds the declaration's source, like IPython's
// `??`. The map converts to backend.MIMEBundle as it is.
func Bundle(d Doc, detail int) map[string]any {
	return map[string]any{
		"text/plain":    PlainText(d, detail),
		"text/markdown": MarkdownText(d, detail),
	}
}

// unavailable is said where a Doc was built without sources.
const unavailable = "Documentation unavailable: the Go sources of this package were not found; the signature comes from the interpreter."

// PlainText renders d as plain text, as Bundle's text/plain.
func PlainText(d Doc, detail int) string {
	var b sections
	section := b.add
	section(d.Decl)
	if d.Reflected {
		section(unavailable)
	} else {
		section(d.Text)
	}
	section(indentedList("Functions returning "+d.Name+":", d.Funcs))
	section(indentedList("Methods:", d.Methods))
	if detail > 0 && d.Source != "" {
		section("Source (" + d.Position + "):\n" + indent(d.Source))
	}
	if d.URL != "" {
		section(d.URL)
	}
	return b.String()
}

// MarkdownText renders d as Markdown, as Bundle's text/markdown.
func MarkdownText(d Doc, detail int) string {
	var b sections
	section := b.add
	section(goBlock(d.Decl))
	if d.Reflected {
		section("*" + unavailable + "*")
	} else {
		section(d.Markdown)
	}
	if len(d.Funcs) > 0 {
		section("**Functions returning " + d.Name + "**\n\n" + goBlock(strings.Join(d.Funcs, "\n")))
	}
	if len(d.Methods) > 0 {
		section("**Methods**\n\n" + goBlock(strings.Join(d.Methods, "\n")))
	}
	if detail > 0 && d.Source != "" {
		section("**Source** (`" + d.Position + "`)\n\n" + goBlock(d.Source))
	}
	if d.URL != "" {
		section("[" + strings.TrimPrefix(d.URL, "https://") + "](" + d.URL + ")")
	}
	return b.String()
}

// goBlock fences Go code, with a fence longer than any backquote run in it
// (a raw string literal may hold ```).
func goBlock(code string) string {
	if code == "" {
		return ""
	}
	fence := "```"
	for strings.Contains(code, fence) {
		fence += "`"
	}
	return fence + "go\n" + code + "\n" + fence
}

func indentedList(title string, items []string) string {
	if len(items) == 0 {
		return ""
	}
	return title + "\n" + indent(strings.Join(items, "\n"))
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// sections joins non-empty blocks of text with a blank line between them.
type sections struct{ strings.Builder }

func (b *sections) add(s string) {
	if s == "" {
		return
	}
	if b.Len() > 0 {
		b.WriteString("\n\n")
	}
	b.WriteString(s)
}
