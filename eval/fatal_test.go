package eval

import (
	"runtime/debug"
	"strings"
	"testing"
)

// A make larger than the session may allocate is a runtime error the cell
// can recover from, and the session and its variables live on; a make
// within it, of any length expression, is untouched.
func TestHugeMakeIsAPanic(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 30))
	s := newSession(t)
	mustRun(t, s, `kept := 7
n := 10
type pair struct{ a, b int64 }`)
	for _, tc := range []struct{ code, want string }{
		{`b := make([]byte, 30<<30)
len(b)`, "makeslice: len out of range (32212254720 elements of 1 bytes are 30.0 GiB, more than the 1.0 GiB this session may use)"},
		{`x := make([]pair, 1, n<<30)
len(x)`, "makeslice: cap out of range"},
		{`var k int64 = 1 << 40
c := make(chan int, k)
cap(c)`, "makechan: size out of range"},
	} {
		c := run(t, s, tc.code)
		if e := c.res.Err; e == nil || e.Name != "runtime error" || !strings.HasPrefix(e.Value, tc.want) {
			t.Errorf("%s: %+v", tc.code, c.res.Err)
		}
	}
	if got := mustRun(t, s, `import "fmt"

func safe() (err any) {
	defer func() { err = recover() }()
	_ = make([]int64, n<<30)
	return nil
}
fmt.Sprint(safe() != nil, kept, len(make([]pair, n, n*2)), cap(make(chan string, n)))`).value(); got != `"true 7 10 10"` {
		t.Errorf("after the huge makes: %s", got)
	}
}
