//go:build !race

// Pools decode their workers' results in goroutines of their own (see
// pool_test.go).

package eval

import "testing"

// A pool's results are values of the notebook's types, and print so.
func TestFmtCellTypesFromAPool(t *testing.T) {
	s := newSession(t)
	c := mustRun(t, s, `import ("fmt"; "mp")
type point struct{ x, y int }
type celsius struct{ deg float64 }
func (c celsius) String() string { return fmt.Sprintf("%.1f°C", c.deg) }
func mirror(x int) point { return point{x, -x} }
func warm(x int) celsius { return celsius{float64(x)} }
pool := mp.NewPool(2)
ps := pool.Map(mirror, []int{1, 2})
fmt.Printf("%+v %T\n", ps, ps)
fmt.Println(pool.Map(warm, []int{20, 21}), pool.Apply(warm, 5))
pool.Close()
pool.Join()`)
	want := "[{x:1 y:-1} {x:2 y:-2}] []main.point\n[20.0°C 21.0°C] 5.0°C\n"
	if got := c.rec.out(); got != want {
		t.Fatalf("stdout %q\nwant   %q\nstderr %q", got, want, c.rec.err())
	}
}
