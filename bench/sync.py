"""mp sync benchmark: gomp's mp.Lock and mp.Value side by side with CPython's
multiprocessing.Lock and Value, in one run.

Measures, in ops/s (higher is better), two child processes running at once:
  lock   each child: n times lock.acquire(); lock.release() on one shared Lock
         (gomp: l.Lock(); l.Unlock(), sync.Locker's methods; Acquire() and
         Release() cost about twice as much in a cell, yaegi being slow to
         call a variadic method)
  value  each child: n times, under the Value's lock, value += 1 (gomp:
         v.GetLock().Lock(); v.Set(v.Get().(int)+1); v.GetLock().Unlock();
         CPython: with v.get_lock(): v.value += 1); the total is checked
Timed from the signal that starts both children (they wait on an Event after
starting) to the end of both Joins. gomp runs in a real kernel driven by
jupyter_client, so its loops are interpreted by yaegi (each call about
0.6 us); CPython runs a script with the fork start method. Rounds alternate
the order; medians and ratios gomp / CPython are printed as a Markdown table.
The same operations compiled (go test -bench 'TwoProcesses' ./mp) are a
separate figure, printed with --go-bench.

Usage (from the repository root, with Debian's Jupyter and ipykernel):
  /usr/bin/python3 bench/sync.py [--n 200000] [--rounds 5] [--go-bench] [--out FILE]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp as mpbench  # noqa: E402  bench/mp.py: setup, Kernel, versions

GO_DECLS = r'''
import (
	"fmt"
	"mp"
	"time"
)

func lockLoop(l *mp.Lock, n int, ready *mp.Semaphore, start *mp.Event) {
	ready.Release()
	start.Wait()
	for i := 0; i < n; i++ {
		l.Lock()
		l.Unlock()
	}
}

func valueLoop(v *mp.Value, n int, ready *mp.Semaphore, start *mp.Event) {
	ready.Release()
	start.Wait()
	for i := 0; i < n; i++ {
		v.GetLock().Lock()
		v.Set(v.Get().(int) + 1)
		v.GetLock().Unlock()
	}
}

// runPair starts the two children, waits until both are ready, and times
// them from the start signal to their end. (The targets are named in the
// cells: a func passed through an any parameter is not a target.)
func runPair(a, b *mp.Process, ready *mp.Semaphore, start *mp.Event, n int) float64 {
	a.Start()
	b.Start()
	ready.Acquire()
	ready.Acquire()
	t0 := time.Now()
	start.Set()
	a.Join()
	b.Join()
	return float64(2*n) / time.Since(t0).Seconds()
}
'''

GO_LOCK = '''l, ready, start := mp.NewLock(), mp.NewSemaphore(0), mp.NewEvent()
fmt.Println(runPair(mp.NewProcess(lockLoop, l, %(n)d, ready, start), mp.NewProcess(lockLoop, l, %(n)d, ready, start), ready, start, %(n)d))
'''
GO_VALUE = '''v, ready, start := mp.NewValue(0), mp.NewSemaphore(0), mp.NewEvent()
r := runPair(mp.NewProcess(valueLoop, v, %(n)d, ready, start), mp.NewProcess(valueLoop, v, %(n)d, ready, start), ready, start, %(n)d)
if v.Get().(int) != 2*%(n)d {
	panic(fmt.Sprint("lost increments: ", v.Get()))
}
fmt.Println(r)
'''

PY_SCRIPT = r'''
import multiprocessing as mpr
import sys
import time

def lock_loop(lock, n, ready, start):
    ready.release()
    start.wait()
    for _ in range(n):
        lock.acquire()
        lock.release()

def value_loop(v, n, ready, start):
    ready.release()
    start.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1

def two_children(target, shared, n):
    ready, start = mpr.Semaphore(0), mpr.Event()
    ps = [mpr.Process(target=target, args=(shared, n, ready, start)) for _ in range(2)]
    for p in ps:
        p.start()
    ready.acquire()
    ready.acquire()
    t0 = time.perf_counter()
    start.set()
    for p in ps:
        p.join()
    return 2 * n / (time.perf_counter() - t0)

if __name__ == "__main__":
    mpr.set_start_method("fork")
    what, n = sys.argv[1], int(sys.argv[2])
    if what == "lock":
        print(two_children(lock_loop, mpr.Lock(), n))
    else:
        v = mpr.Value("l", 0)
        r = two_children(value_loop, v, n)
        assert v.value == 2 * n, v.value
        print(r)
'''


def go_bench():
    """The same loops compiled: mp's Go benchmarks (children are the test binary)."""
    r = subprocess.run(["go", "test", "-count=1", "-run", "^$", "-bench", "TwoProcesses|LockAcquireRelease|ValueIncrementWithLock",
                        "-benchtime=2000000x", "./mp"], cwd=mpbench.ROOT, capture_output=True, text=True, check=True)
    return [line for line in r.stdout.splitlines() if line.startswith("Benchmark")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200000, help="operations per child")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--go-bench", action="store_true", help="also run the compiled Go benchmarks")
    ap.add_argument("--gomp", help="a gomp binary to use instead of building one")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="gomp-bench-sync-")
    k = None
    try:
        _, gomp, _ = mpbench.setup(tmp, args.gomp)
        script = os.path.join(tmp, "sync_py.py")
        with open(script, "w") as f:
            f.write(PY_SCRIPT)
        k = mpbench.Kernel("gomp")
        k.run(GO_DECLS)
        res = {(impl, what): [] for impl in ("gomp", "cpython") for what in ("lock", "value")}
        for rnd in range(args.rounds):
            order = ("gomp", "cpython") if rnd % 2 == 0 else ("cpython", "gomp")
            for what in ("lock", "value"):
                for impl in order:
                    if impl == "gomp":
                        code = (GO_LOCK if what == "lock" else GO_VALUE) % {"n": args.n}
                        ops = float(k.run(code).strip())
                    else:
                        out = subprocess.run([sys.executable, script, what, str(args.n)],
                                             capture_output=True, text=True, check=True).stdout
                        ops = float(out.strip())
                    res[(impl, what)].append(ops)
                    mpbench.log(f"round {rnd + 1} {what} {impl}: {ops / 1e6:.2f} M ops/s")
        info = mpbench.versions(gomp)
        m = statistics.median
        lines = [
            f"Two child processes at once, {args.n} operations each, median of {args.rounds} rounds "
            f"(gomp {info['gomp']}, Python {info['python']}, {info['cpu']}).",
            "",
            "| operation | gomp cell (yaegi) | CPython multiprocessing (fork) | gomp / CPython |",
            "|---|---:|---:|---:|",
        ]
        for what, label in (("lock", "Lock acquire + release"), ("value", "Lock + Value increment")):
            g, p = m(res[("gomp", what)]), m(res[("cpython", what)])
            lines.append(f"| {label} | {g / 1e6:.2f} M ops/s | {p / 1e6:.2f} M ops/s | {g / p:.2f} |")
        if args.go_bench:
            lines += ["", "Compiled Go (go test -bench, same loops in the test binary's children):", "", "```"]
            lines += go_bench() + ["```"]
        text = "\n".join(lines)
        print(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text + "\n")
    finally:
        if k is not None:
            k.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
