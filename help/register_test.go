package help

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"

	"gomp/display"
)

func TestRegisterWithSources(t *testing.T) {
	idx := newIndex(goroot)
	idx.register(display.Symbols, display.Source)

	d, ok := idx.lookup("display", "HTML")
	if !ok || d.Reflected || d.Decl != "func HTML(s string)" || !strings.Contains(d.Text, "HTML fragment") {
		t.Errorf("display.HTML = %+v", d)
	}
	if d.URL != "" {
		t.Errorf("a registered package got a pkg.go.dev URL: %s", d.URL)
	}
	if d, ok := idx.lookup("display", "Handle.Text"); !ok || d.Kind != KindMethod {
		t.Errorf("display.Handle.Text = %+v", d)
	}
	if d, ok := idx.lookup("display", ""); !ok || !strings.HasPrefix(d.Synopsis, "Package display shows rich output") {
		t.Errorf("display package doc = %+v", d)
	}
	// The evaluator-only functions are documented too (they are Go API),
	// but Members lists only what cells can use.
	ms := idx.members("display")
	if !slices.Contains(ms, Member{"Handle", KindType}) || !slices.Contains(ms, Member{"HTML", KindFunc}) {
		t.Errorf("Members(display) = %v", ms)
	}
	if slices.Contains(ms, Member{"SetOutput", KindFunc}) {
		t.Error("Members(display) lists SetOutput, which cells cannot use")
	}
	if !slices.Contains(idx.packages(), "display") {
		t.Error("Packages lacks display")
	}
}

type widget struct{ Size int }

func (w *widget) Grow(n int) int { return w.Size + n }

func NewWidget(size int) *widget { return &widget{size} }

func TestRegisterWithoutSources(t *testing.T) {
	idx := newIndex(goroot)
	idx.register(interp.Exports{"mp/mp": {
		"NewWidget": reflect.ValueOf(NewWidget),
		"Widget":    reflect.ValueOf((*widget)(nil)),
	}}, nil)
	d, ok := idx.lookup("mp", "NewWidget")
	if !ok || !d.Reflected || d.Decl != "func NewWidget(int) *widget" {
		t.Errorf("mp.NewWidget = %+v", d)
	}
	if d, ok := idx.lookup("mp", "Widget.Grow"); !ok || d.Decl != "func (*widget) Grow(int) int" {
		t.Errorf("mp.Widget.Grow = %+v", d)
	}
	if d, ok := idx.lookup("mp", "Widget.Size"); !ok || d.Kind != KindField || d.Decl != "Size int" {
		t.Errorf("mp.Widget.Size = %+v", d)
	}
	want := []Member{{"NewWidget", KindFunc}, {"Widget", KindType}}
	if got := idx.members("mp"); !slices.Equal(got, want) {
		t.Errorf("Members(mp) = %v, want %v", got, want)
	}
}
