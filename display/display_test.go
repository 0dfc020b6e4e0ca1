package display

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"gomp/backend"
)

func TestFunctionsShowTheirBundle(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\nfake")
	jpeg := []byte("\xff\xd8\xff\xe0fake")
	tests := []struct {
		name string
		call func()
		want backend.MIMEBundle
	}{
		{"HTML", func() { HTML("<p>a &amp; <b>b</b></p>") },
			backend.MIMEBundle{"text/html": "<p>a &amp; <b>b</b></p>", "text/plain": "a & b"}},
		{"Markdown", func() { Markdown("# T\n*x*") },
			backend.MIMEBundle{"text/markdown": "# T\n*x*", "text/plain": "# T\n*x*"}},
		{"SVG", func() { SVG("<svg/>") },
			backend.MIMEBundle{"image/svg+xml": "<svg/>", "text/plain": "<SVG image>"}},
		{"PNG", func() { PNG(png) },
			backend.MIMEBundle{"image/png": base64.StdEncoding.EncodeToString(png), "text/plain": "<image/png image, 12 bytes>"}},
		{"JPEG", func() { JPEG(jpeg) },
			backend.MIMEBundle{"image/jpeg": base64.StdEncoding.EncodeToString(jpeg), "text/plain": "<image/jpeg image, 8 bytes>"}},
		{"Text", func() { Text("hola") },
			backend.MIMEBundle{"text/plain": "hola"}},
		{"Data adds text/plain", func() { Data(map[string]any{"text/html": "<i>hi</i>"}) },
			backend.MIMEBundle{"text/html": "<i>hi</i>", "text/plain": "hi"}},
		{"Data keeps text/plain and encodes bytes", func() {
			Data(map[string]any{"image/png": png, "text/latex": []byte("$x$"), "text/plain": "fig"})
		}, backend.MIMEBundle{"image/png": base64.StdEncoding.EncodeToString(png), "text/latex": "$x$", "text/plain": "fig"}},
		{"Data without readable entry", func() { Data(map[string]any{"application/vnd.foo": "x"}) },
			backend.MIMEBundle{"application/vnd.foo": "x", "text/plain": "<application/vnd.foo output>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record(t)
			tt.call()
			d := only(t, r)
			if !reflect.DeepEqual(d.Data, tt.want) {
				t.Errorf("bundle = %#v\nwant     %#v", d.Data, tt.want)
			}
			if d.DisplayID != "" || d.Update {
				t.Errorf("plain display got DisplayID %q Update %v", d.DisplayID, d.Update)
			}
		})
	}
}

func TestDataEmptyShowsNothing(t *testing.T) {
	r := record(t)
	Data(nil)
	Data(map[string]any{})
	if ds := r.Displays(); len(ds) != 0 {
		t.Fatalf("empty bundles showed %v", ds)
	}
}

func TestJSON(t *testing.T) {
	r := record(t)
	type point struct {
		X, Y int
		Big  int64 `json:"big"`
	}
	JSON([]point{{1, 2, 1 << 60}})
	d := only(t, r)
	// The bundle value must nest as JSON, not as a string of JSON.
	got, err := json.Marshal(d.Data["application/json"])
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"X":1,"Y":2,"big":1152921504606846976}]`; string(got) != want {
		t.Errorf("application/json marshals to %s, want %s", got, want)
	}
	if plain := d.Data["text/plain"].(string); !strings.Contains(plain, "\"X\": 1") {
		t.Errorf("text/plain is not indented JSON: %q", plain)
	}
}

func TestJSONErrorGoesToStderr(t *testing.T) {
	r := record(t)
	JSON(make(chan int))
	NewHandle().JSON(func() {})
	if ds := r.Displays(); len(ds) != 0 {
		t.Fatalf("unmarshallable values were shown: %v", ds)
	}
	ss := r.Streams()
	if len(ss) != 2 {
		t.Fatalf("got %d stream writes, want 2: %v", len(ss), ss)
	}
	for _, s := range ss {
		if s.name != "stderr" || !strings.HasPrefix(s.text, "display.JSON: cannot marshal") ||
			!strings.Contains(s.text, "unsupported type") {
			t.Errorf("unclear error: %+v", s)
		}
	}
}

func TestClear(t *testing.T) {
	r := record(t)
	Clear(true)
	Clear(false)
	if !reflect.DeepEqual(r.clears, []bool{true, false}) {
		t.Fatalf("clears = %v", r.clears)
	}
}

func TestFallbackPrintsPlainTextToStdout(t *testing.T) {
	SetOutput(nil)
	var out, errOut strings.Builder
	savedOut, savedErr := stdoutFallback.stdout, stdoutFallback.stderr
	stdoutFallback.stdout = func() io.Writer { return &out }
	stdoutFallback.stderr = func() io.Writer { return &errOut }
	t.Cleanup(func() { stdoutFallback.stdout, stdoutFallback.stderr = savedOut, savedErr })

	HTML("<b>bold</b>")
	Markdown("*md*")
	h := NewHandle()
	h.Text("one")
	h.Text("two")
	Clear(false)
	JSON(make(chan int))

	if want := "bold\n*md*\none\ntwo\n"; out.String() != want {
		t.Errorf("stdout = %q, want %q", out.String(), want)
	}
	if !strings.HasPrefix(errOut.String(), "display.JSON:") {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestHTMLToText(t *testing.T) {
	tests := map[string]string{
		"plain":                   "plain",
		"<h1>T</h1><p>a<br>b</p>": "T\na\nb",
		"<style>p{}</style><script>x<y</script>ok":                        "ok",
		"<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>": "1 2\n3",
		"a < b":             "a < b",
		"x &lt;y&gt; &amp;": "x <y> &",
	}
	for in, want := range tests {
		if got := htmlToText(in); got != want {
			t.Errorf("htmlToText(%q) = %q, want %q", in, got, want)
		}
	}
}
