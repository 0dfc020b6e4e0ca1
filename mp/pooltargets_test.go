package mp

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gomp/backend"
)

// The functions the pool tests' workers run (merged into testTargets).
var poolTargets = map[string]any{
	"square":        square,
	"add":           add,
	"whichWorker":   whichWorker,
	"failOnThree":   failOnThree,
	"halve":         halve,
	"exitOnThree":   exitOnThree,
	"realExitTask":  realExitTask,
	"sleepTask":     sleepTask,
	"sleepThenPid":  sleepThenPid,
	"shout":         shout,
	"setPoolPrefix": setPoolPrefix,
	"withPrefix":    withPrefix,
	"initPanics":    initPanics,
	"pidOf":         pidOf,
	"makePoint":     makePoint,
	"nothing":       nothing,
	"waitForFile":   waitForFile,
	"meetAt":        meetAt,
	"junkFrame":     junkFrame,
	"bigString":     bigString,
	"lenOf":         lenOf,
}

func init() {
	testTypes["[]point"] = reflect.TypeOf([]point(nil))
	testTypes["time.Duration"] = reflect.TypeOf(time.Duration(0))
	testTypes["[]time.Duration"] = reflect.TypeOf([]time.Duration(nil))
}

func square(x int) int { return x * x }

func add(a, b int) int { return a + b }

func whichWorker(int) string { return fmt.Sprintf("%s %d", CurrentProcess().Name, os.Getpid()) }

func failOnThree(x int) int {
	if x == 3 {
		panic(fmt.Sprintf("three is bad (pid %d)", os.Getpid()))
	}
	return x
}

func halve(x int) (int, error) {
	if x%2 != 0 {
		return 0, errors.New("odd number")
	}
	return x / 2, nil
}

func exitOnThree(x int) int {
	if x == 3 {
		panic(exitPanic(7))
	}
	return x
}

func realExitTask(code int) int { os.Exit(code); return 0 }

func sleepTask(d time.Duration) int { time.Sleep(d); return os.Getpid() }

// sleepThenPid prints its pid (so a test can kill it) and sleeps.
func sleepThenPid(int) int {
	fmt.Printf("sleeping pid %d\n", os.Getpid())
	time.Sleep(time.Hour)
	return 0
}

func shout(s string) { fmt.Println(strings.ToUpper(s)) }

// poolPrefix is a worker's global that its initializer sets.
var poolPrefix string

func setPoolPrefix(p string, n int) { poolPrefix = strings.Repeat(p, n) }

func withPrefix(x int) string { return fmt.Sprint(poolPrefix, x) }

func initPanics() { panic("no database") }

func pidOf(int) int { return os.Getpid() }

func makePoint(x int) point { return point{x, -x} }

func nothing(int) {}

// waitForFile blocks until path exists, then returns x.
func waitForFile(path string, x int) int {
	for {
		if _, err := os.Stat(path); err == nil {
			return x
		}
		time.Sleep(time.Millisecond)
	}
}

// Prepare finds a test target once (mp.Host), for pool workers.
func (h *testHost) Prepare(t Target) (func([]reflect.Value) ([]reflect.Value, error), error) {
	f, ok := testTargets[t.Func]
	if !ok {
		return nil, fmt.Errorf("no target %s", t.Func)
	}
	fn := reflect.ValueOf(f)
	return func(args []reflect.Value) (out []reflect.Value, err error) {
		if len(args) != fn.Type().NumIn() {
			return nil, fmt.Errorf("%s takes %d arguments, got %d", t.Func, fn.Type().NumIn(), len(args))
		}
		in := make([]reflect.Value, len(args))
		for i, a := range args {
			want := fn.Type().In(i)
			switch {
			case !a.IsValid():
				in[i] = reflect.Zero(want)
			case a.Kind() == reflect.Interface:
				in[i] = a.Elem().Convert(want)
			default:
				in[i] = a.Convert(want)
			}
		}
		defer func() {
			switch r := recover().(type) {
			case nil:
			case exitPanic:
				out, err = nil, &ExitRequest{Code: int(r)}
			default:
				out, err = nil, &TargetPanic{Value: r, Traceback: []string{"  in test target " + t.Func}}
			}
		}()
		return fn.Call(in), nil
	}, nil
}

// meetAt leaves its pid in dir and waits until two processes have (or
// gives up after a long while, so that a test fails instead of hanging);
// it returns which worker it ran in.
func meetAt(dir string) string {
	os.WriteFile(fmt.Sprintf("%s/%d", dir, os.Getpid()), nil, 0o600)
	for range 30000 {
		if entries, _ := os.ReadDir(dir); len(entries) >= 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	return whichWorker(0)
}

func killPid(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// displayRecorder is a cell's Output that keeps its displays.
type displayRecorder struct {
	*recorder
	mu       sync.Mutex
	displays []backend.Display
}

func (d *displayRecorder) Display(x backend.Display) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.displays = append(d.displays, x)
}

func (d *displayRecorder) last() (backend.Display, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.displays) == 0 {
		return backend.Display{}, false
	}
	return d.displays[len(d.displays)-1], true
}

// junkFrame writes, on the worker's pool channel (its fd 4), the head of
// a frame whose length no frame may have, as a broken or hostile worker
// could, and then sleeps as a long task.
func junkFrame(int) int {
	syscall.Write(poolFD, []byte{0xff, 0xff, 0xff, 0xff, poolOpResult, 0, 0, 0, 1})
	time.Sleep(time.Hour)
	return 0
}

// bigString returns a string of n bytes.
func bigString(n int) string { return strings.Repeat("x", n) }

func lenOf(s string) int { return len(s) }
