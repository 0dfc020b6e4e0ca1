package eval

import (
	"strings"
	"testing"
)

// gomp's packages are imported by their short paths; their full paths are
// refused with an error that names the right one, instead of checking and
// then leaving the package's names undefined.
func TestGompPackagesByTheirFullPathAreRefused(t *testing.T) {
	s := newSession(t)
	cases := []struct{ code, want string }{
		{"import \"gomp/display\"\ndisplay.HTML(\"<b>x</b>\")", `line 1, column 8: package gomp/display is not in std: cells import gomp's display package as "display"`},
		{"import \"gomp/mp\"\nmp.CPUCount()", `line 1, column 8: package gomp/mp is not in std: cells import gomp's mp package as "mp"`},
		{"import \"gomp/backend\"", "line 1, column 8: package gomp/backend is not in std"},
	}
	for _, c := range cases {
		r := run(t, s, c.code)
		if r.res.Err == nil || r.res.Err.Name != "CompileError" || !strings.HasPrefix(r.res.Err.Value, c.want) {
			t.Errorf("%q: got %+v\nwant CompileError: %s", c.code, r.res.Err, c.want)
		}
	}
	// The short paths work, in the same session.
	c := mustRun(t, s, "import \"display\"\ndisplay.HTML(\"<b>x</b>\")\ndisplay.Text(\"y\")")
	c.rec.mu.Lock()
	defer c.rec.mu.Unlock()
	if n := len(c.rec.displays); n != 2 {
		t.Errorf("display.HTML and display.Text showed %d outputs, want 2", n)
	}
}
