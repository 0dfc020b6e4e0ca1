"""Pool benchmark: gomp's mp.Pool side by side with CPython's multiprocessing.Pool, in one run.

Measures, for gomp (through a real kernel, driven by jupyter_client; times
taken inside the cell with Go's time package) and for CPython's
multiprocessing.Pool (in a script, with the platform's default start method;
times from time.perf_counter), with a pool of 2 workers made beforehand:

  primes    counting the primes below 2,000,000 with seed 000's is_prime
            (trial division by odd numbers up to the square root), split in
            16 ranges: Pool(2).Map over the ranges vs a serial loop over the
            same ranges in the same interpreter; the speedup is serial / pool
  trivial   Map of x + 1 over 100,000 ints with the default chunksize vs a
            serial loop in the same interpreter; the ratio is pool / serial
  chunk1    Map of x + 1 over 10,000 ints with chunksize 1: time per item
  apply     10,000 ApplyAsync(x + 1) then Get on each: time per call

Runs alternate which side goes first, so that drift in the machine's load
hits both alike. Medians, with ratios, are printed as a Markdown table.

Usage (from the repository root, with Debian's Jupyter):
  /usr/bin/python3 bench/pool.py [--repeats 5] [--prime-repeats 3] [--rev HEAD] [--out FILE]

It reuses bench/mp.py's helpers: it builds gomp (go build) into a temporary
directory and registers it in a temporary JUPYTER_PATH.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp as mpbench  # bench/mp.py: setup, Kernel, versions, log, fmt_t  # noqa: E402

PRIME_LIMIT = 2_000_000
RANGES = 16

GO_DECLS = r'''
import (
	"fmt"
	"math"
	"mp"
	"time"
)

// isPrime is seed 000's is_prime.
func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	if n == 2 {
		return true
	}
	if n%2 == 0 {
		return false
	}
	limit := int(math.Sqrt(float64(n))) + 1
	for i := 3; i < limit; i += 2 {
		if n%i == 0 {
			return false
		}
	}
	return true
}

// countPrimes counts the primes in [r[0], r[1]).
func countPrimes(r []int) int {
	c := 0
	for n := r[0]; n < r[1]; n++ {
		if isPrime(n) {
			c++
		}
	}
	return c
}

func inc(x int) int { return x + 1 }

func ranges(limit, k int) [][]int {
	var rs [][]int
	for i := 0; i < k; i++ {
		rs = append(rs, []int{limit * i / k, limit * (i + 1) / k})
	}
	return rs
}
'''

GO_POOL = '''pool := mp.NewPool(2)
fmt.Println(pool.Map(inc, []int{1, 2, 3}))'''

GO_PRIMES = '''{
	rs := ranges(%(limit)d, %(k)d)
	t0 := time.Now()
	serial := 0
	for _, r := range rs {
		serial += countPrimes(r)
	}
	ds := time.Since(t0)
	t0 = time.Now()
	counts := pool.Map(countPrimes, rs).([]int)
	dp := time.Since(t0)
	total := 0
	for _, c := range counts {
		total += c
	}
	fmt.Println("R", ds.Nanoseconds(), dp.Nanoseconds(), serial, total)
}'''

GO_TRIVIAL = '''{
	xs := make([]int, %(n)d)
	for i := range xs {
		xs[i] = i
	}
	t0 := time.Now()
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = inc(x)
	}
	ds := time.Since(t0)
	t0 = time.Now()
	got := pool.Map(inc, xs).([]int)
	dp := time.Since(t0)
	fmt.Println("R", ds.Nanoseconds(), dp.Nanoseconds(), out[len(out)-1], got[len(got)-1])
}'''

GO_CHUNK1 = '''{
	xs := make([]int, %(n)d)
	for i := range xs {
		xs[i] = i
	}
	t0 := time.Now()
	got := pool.Map(inc, xs, mp.Chunksize(1)).([]int)
	d := time.Since(t0)
	fmt.Println("R", d.Nanoseconds(), got[len(got)-1])
}'''

GO_APPLY = '''{
	n := %(n)d
	t0 := time.Now()
	rs := make([]*mp.AsyncResult, n)
	for i := range rs {
		rs[i] = pool.ApplyAsync(inc, i)
	}
	last := 0
	for _, r := range rs {
		last = r.Get().(int)
	}
	d := time.Since(t0)
	fmt.Println("R", d.Nanoseconds(), last)
}'''

PY_BENCH = r'''
import json
import math
import multiprocessing
import sys
import time


def is_prime(n):
    """Seed 000's is_prime."""
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    limit = int(math.sqrt(n)) + 1
    for i in range(3, limit, 2):
        if n % i == 0:
            return False
    return True


def count_primes(r):
    c = 0
    for n in range(r[0], r[1]):
        if is_prime(n):
            c += 1
    return c


def inc(x):
    return x + 1


def ranges(limit, k):
    return [(limit * i // k, limit * (i + 1) // k) for i in range(k)]


def main():
    what, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    res = []
    with multiprocessing.Pool(2) as pool:
        pool.map(inc, [1, 2, 3])
        for _ in range(reps):
            if what == "primes":
                rs = ranges(n, int(sys.argv[4]))
                t0 = time.perf_counter()
                serial = 0
                for r in rs:
                    serial += count_primes(r)
                ds = time.perf_counter() - t0
                t0 = time.perf_counter()
                total = sum(pool.map(count_primes, rs))
                dp = time.perf_counter() - t0
                assert serial == total
                res.append([ds, dp, total])
            elif what == "trivial":
                xs = list(range(n))
                t0 = time.perf_counter()
                out = []
                for x in xs:
                    out.append(inc(x))
                ds = time.perf_counter() - t0
                t0 = time.perf_counter()
                got = pool.map(inc, xs)
                dp = time.perf_counter() - t0
                assert got == out
                res.append([ds, dp])
            elif what == "chunk1":
                xs = list(range(n))
                t0 = time.perf_counter()
                pool.map(inc, xs, chunksize=1)
                res.append([time.perf_counter() - t0])
            elif what == "apply":
                t0 = time.perf_counter()
                rs = [pool.apply_async(inc, (i,)) for i in range(n)]
                for r in rs:
                    r.get()
                res.append([time.perf_counter() - t0])
    print(json.dumps({"method": multiprocessing.get_start_method(), "res": res}))


if __name__ == "__main__":
    main()
'''


def gomp_rows(kernel, code):
    """Run a cell; return its "R ..." lines as lists of ints."""
    out = kernel.run(code, timeout=1800)
    rows = [[int(x) for x in line.split()[1:]] for line in out.splitlines() if line.startswith("R ")]
    if not rows:
        raise RuntimeError(f"gomp printed no result:\n{out}")
    return rows


def py_rows(pydir, *args):
    r = subprocess.run([sys.executable, "poolbench.py", *map(str, args)], cwd=pydir,
                       capture_output=True, text=True, check=True)
    d = json.loads(r.stdout)
    return d["method"], d["res"]


def measure(args, kernel, pydir):
    res = {k: {"gomp": [], "py": []} for k in ("primes", "trivial", "chunk1", "apply")}
    method = None
    jobs = [
        ("primes", args.prime_repeats, GO_PRIMES % {"limit": PRIME_LIMIT, "k": RANGES}, (PRIME_LIMIT, 1, RANGES)),
        ("trivial", args.repeats, GO_TRIVIAL % {"n": 100_000}, (100_000, 1)),
        ("chunk1", args.repeats, GO_CHUNK1 % {"n": 10_000}, (10_000, 1)),
        ("apply", args.repeats, GO_APPLY % {"n": 10_000}, (10_000, 1)),
    ]
    for key, reps, go_code, py_args in jobs:
        order = ["gomp", "py"]
        for r in range(reps):
            for impl in order:
                if impl == "gomp":
                    res[key]["gomp"] += [[x / 1e9 for x in row] for row in gomp_rows(kernel, go_code)]
                else:
                    method, rows = py_rows(pydir, key, py_args[0], py_args[1], *py_args[2:])
                    res[key]["py"] += rows
            order.reverse()
        mpbench.log(f"{key}: done ({reps} runs each)")
    return res, method


def table(res, method, info, elapsed):
    m = statistics.median
    def fmt_t(s):
        return f"{s * 1e6:.1f} µs" if s < 1e-3 else mpbench.fmt_t(s)
    g, p = res["primes"]["gomp"], res["primes"]["py"]
    g_serial, g_pool = m(r[0] for r in g), m(r[1] for r in g)
    p_serial, p_pool = m(r[0] for r in p), m(r[1] for r in p)
    g_speed = m(r[0] / r[1] for r in g)
    p_speed = m(r[0] / r[1] for r in p)
    tg, tp = res["trivial"]["gomp"], res["trivial"]["py"]
    tg_ratio, tp_ratio = m(r[1] / r[0] for r in tg), m(r[1] / r[0] for r in tp)
    c1g, c1p = m(r[0] for r in res["chunk1"]["gomp"]) / 10_000, m(r[0] for r in res["chunk1"]["py"]) / 10_000
    apg, app = m(r[0] for r in res["apply"]["gomp"]) / 10_000, m(r[0] for r in res["apply"]["py"]) / 10_000

    def met(ok):
        return "met" if ok else "**missed**"
    lines = [
        f"gomp {info['gomp']}; CPython {info['python']} (multiprocessing.Pool in a script, start method "
        f"{method}); jupyter_client {info['jupyter_client']}; {info['cpu']}; load average {info['load']}; "
        f"the whole run took {elapsed / 60:.1f} min. Pools of 2 workers made before the timing.",
        "",
        "| measure | gomp | CPython | gomp / CPython | target |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| primes below {PRIME_LIMIT:,}, serial loop over {RANGES} ranges (median of {len(g)} / {len(p)}) "
        f"| {fmt_t(g_serial)} | {fmt_t(p_serial)} | {g_serial / p_serial:.2f} | |",
        f"| … Pool(2).Map over the ranges | {fmt_t(g_pool)} | {fmt_t(p_pool)} | {g_pool / p_pool:.2f} | |",
        f"| … speedup, serial / pool (median of the runs' ratios) | {g_speed:.2f}× | {p_speed:.2f}× | "
        f"{g_speed / p_speed:.2f} | ≥ CPython's: {met(g_speed >= p_speed)} |",
        f"| Map of x + 1 over 100,000 ints, default chunksize, pool / serial loop (median of "
        f"{len(tg)} / {len(tp)}) | {tg_ratio:.2f} | {tp_ratio:.2f} | | ≤ 1.5: {met(tg_ratio <= 1.5)} |",
        f"| … serial loop / Map | {fmt_t(m(r[0] for r in tg))} / {fmt_t(m(r[1] for r in tg))} | "
        f"{fmt_t(m(r[0] for r in tp))} / {fmt_t(m(r[1] for r in tp))} | | |",
        f"| Map over 10,000 ints, chunksize 1, per item | {fmt_t(c1g)} | {fmt_t(c1p)} | {c1g / c1p:.2f} | "
        f"≤ CPython's: {met(c1g <= c1p)} |",
        f"| 10,000 ApplyAsync + Get, per call | {fmt_t(apg)} | {fmt_t(app)} | {apg / app:.2f} | "
        f"≤ CPython's: {met(apg <= app)} |",
    ]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="runs of the trivial, chunk1 and apply measures, each side")
    ap.add_argument("--prime-repeats", type=int, default=3, help="runs of the prime count, each side")
    ap.add_argument("--rev", help="build gomp from this commit (git archive), e.g. HEAD")
    ap.add_argument("--gomp", help="a gomp binary to use instead of building one")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()

    mpbench.LOAD_BEFORE = os.getloadavg()[0]
    t_start = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="gomp-bench-pool-")
    kernel = None
    try:
        _, gomp, pydir = mpbench.setup(tmp, args.gomp, args.rev)
        with open(os.path.join(pydir, "poolbench.py"), "w") as f:
            f.write(PY_BENCH.lstrip())
        kernel = mpbench.Kernel("gomp")
        kernel.run(GO_DECLS)
        kernel.run(GO_POOL)
        res, method = measure(args, kernel, pydir)
        info = mpbench.versions(gomp)
        info["load"] = f"{mpbench.LOAD_BEFORE:.2f} before, {os.getloadavg()[0]:.2f} after"
        text = table(res, method, info, time.perf_counter() - t_start)
        print(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text)
    finally:
        if kernel is not None:
            kernel.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
