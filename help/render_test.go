package help

import (
	"strings"
	"testing"
)

func TestBundle(t *testing.T) {
	idx := withSources(t)
	d, _ := idx.lookup("strings", "Builder")

	b := Bundle(d, 0)
	plain, _ := b["text/plain"].(string)
	md, _ := b["text/markdown"].(string)
	if !strings.HasPrefix(plain, "type Builder struct {") {
		t.Errorf("text/plain does not start with the declaration:\n%s", plain)
	}
	for _, want := range []string{"A Builder is used", "Methods:\n    func (b *Builder) Cap() int", "https://pkg.go.dev/strings#Builder"} {
		if !strings.Contains(plain, want) {
			t.Errorf("text/plain lacks %q:\n%s", want, plain)
		}
	}
	if !strings.HasPrefix(md, "```go\ntype Builder struct {") || !strings.Contains(md, "**Methods**") {
		t.Errorf("text/markdown:\n%s", md)
	}
	if strings.Contains(plain, "Source (") {
		t.Error("detail 0 shows the source")
	}

	full := Bundle(d, 1)["text/plain"].(string)
	if !strings.Contains(full, "Source (strings/builder.go:") || !strings.Contains(full, "addr *Builder") {
		t.Errorf("detail 1 lacks the source with unexported fields:\n%s", full)
	}
}

func TestGoBlockFenceOutgrowsBackquotes(t *testing.T) {
	if got := goBlock("x := `a```b`"); !strings.HasPrefix(got, "````go\n") || !strings.HasSuffix(got, "\n````") {
		t.Errorf("goBlock = %q", got)
	}
}
