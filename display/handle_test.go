package display

import (
	"testing"
)

func TestHandleShowsThenUpdatesWithOneID(t *testing.T) {
	r := record(t)
	h := NewHandle()
	h.HTML("<b>a</b>")
	h.Markdown("b")
	h.Text("c")

	ds := r.Displays()
	if len(ds) != 3 {
		t.Fatalf("got %d displays, want 3", len(ds))
	}
	for i, d := range ds {
		if d.DisplayID == "" || d.DisplayID != h.ID() {
			t.Errorf("display %d has id %q, handle has %q", i, d.DisplayID, h.ID())
		}
		if wantUpdate := i > 0; d.Update != wantUpdate {
			t.Errorf("display %d: Update = %v, want %v", i, d.Update, wantUpdate)
		}
	}
	if ds[2].Data["text/plain"] != "c" {
		t.Errorf("last update = %v", ds[2].Data)
	}

	// A later cell updating the handle sends an update to its own output:
	// the frontend finds the display by id in the earlier cell.
	later := record(t)
	h.Text("d")
	if d := only(t, later); !d.Update || d.DisplayID != h.ID() {
		t.Errorf("update from a later cell = %+v", d)
	}
}

func TestZeroHandleAndDistinctIDs(t *testing.T) {
	r := record(t)
	var h Handle
	h.Text("x")
	if d := only(t, r); d.DisplayID == "" || d.Update {
		t.Errorf("zero Handle's first display = %+v", d)
	}
	if NewHandle().ID() == NewHandle().ID() {
		t.Error("two handles share an id")
	}
}
