package kernel

import (
	"context"
	"io"
	"log"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"testing"
	"time"

	"gomp/eval"
)

// Throwaway: not committed.
func TestZZProfile(t *testing.T) {
	if os.Getenv("ZZPROF") == "" {
		t.Skip()
	}
	debug.SetGCPercent(300)
	conn := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "test-key", SignatureScheme: schemeHMACSHA256}
	k, err := Listen(conn, Options{Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	interp, err := eval.New(eval.Options{Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- k.Serve(ctx, interp) }()
	c := dialClient(t, k.ConnectionInfo())
	c.waitReady()
	run := func(n int) []time.Duration {
		var ds []time.Duration
		for range n {
			t0 := time.Now()
			id := c.execute("1 + 1", nil)
			c.outputs(id)
			ds = append(ds, time.Since(t0))
			c.reply(c.shellIn, id, "execute_reply")
		}
		return ds
	}
	run(200)
	f, _ := os.Create("/tmp/probe/cpu.prof")
	pprof.StartCPUProfile(f)
	ds := run(3000)
	pprof.StopCPUProfile()
	f.Close()
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	t.Logf("p10 %v p50 %v p90 %v", ds[len(ds)/10], ds[len(ds)/2], ds[len(ds)*9/10])
	cancel()
	<-served
	c.close()
}
