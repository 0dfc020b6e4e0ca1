package eval

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"gomp/backend"
)

type countOut struct{ n, calls atomic.Int64 }

func (c *countOut) Stream(name, text string)                           { c.n.Add(int64(len(text))); c.calls.Add(1) }
func (c *countOut) Display(backend.Display)                            {}
func (c *countOut) ClearOutput(bool)                                   {}
func (c *countOut) Input(context.Context, string, bool) (string, error) { return "", backend.ErrNoStdin }

func TestZZPrints(t *testing.T) {
	s := newSession(t)
	out := &countOut{}
	for _, code := range []string{
		"import \"fmt\"\npulsos := make(chan int)\nhecho := make(chan bool)\ngo func() {\nfor i := range pulsos {\nfmt.Println(\"goroutina de A\", i)\n}\nhecho <- true\n}()",
		"for i := 0; i < 200; i++ {\npulsos <- i\nfmt.Println(\"celda B\", i)\n}\nclose(pulsos)\n<-hecho",
		"for i := 0; i < 200; i++ {\nfmt.Println(\"celda B\", i)\n}",
		"c := make(chan int)\ngo func() { for range c {} }()\nfor i := 0; i < 200; i++ {\nc <- i\n}",
	} {
		t0 := time.Now()
		res := s.Execute(context.Background(), backend.ExecuteRequest{Code: code, ExecutionCount: 1}, out)
		t.Logf("%v %v bytes=%d calls=%d", time.Since(t0), res.Err, out.n.Load(), out.calls.Load())
	}
}
