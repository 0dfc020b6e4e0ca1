"""Compiled-tier benchmark: the prime count below 2,000,000 in a gomp cell with
the compiled tier, with the interpreter alone (`//gomp:native off`), in
CPython and in compiled Go, serially and in a pool of 2, in one run.

The workload is bench/pool.py's (seed 000's is_prime, 16 ranges), with
countPrimes taking its range as two ints, so that it qualifies for the tier
(a slice parameter does not: the compiled copy could change what the caller
holds). The Pool target is a one-line adapter over the ranges. Each gomp side
gets one untimed run first; for the tier that is the run during which its
build lands (builds never block a cell), so the timed runs measure the loaded
compiled copies. Compiled Go is `go build` of the same functions, timed inside
the program.

Usage (from the repository root, with Debian's Jupyter):
  /usr/bin/python3 bench/native.py [--repeats 3] [--rev HEAD] [--gomp BIN]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp as mpbench  # noqa: E402
import pool as poolbench  # noqa: E402

LIMIT, K = poolbench.PRIME_LIMIT, poolbench.RANGES

GO_FUNCS = r'''
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

func countPrimes(lo, hi int) int {
	c := 0
	for n := lo; n < hi; n++ {
		if isPrime(n) {
			c++
		}
	}
	return c
}
'''

GO_DECLS = 'import ("fmt"; "math"; "mp"; "time")\n' + GO_FUNCS + r'''
func countRange(r []int) int { return countPrimes(r[0], r[1]) }

func ranges(limit, k int) [][]int {
	var rs [][]int
	for i := 0; i < k; i++ {
		rs = append(rs, []int{limit * i / k, limit * (i + 1) / k})
	}
	return rs
}
'''

GO_RUN = '''%(directive)s
{
	rs := ranges(%(limit)d, %(k)d)
	t0 := time.Now()
	serial := 0
	for _, r := range rs {
		serial += countPrimes(r[0], r[1])
	}
	ds := time.Since(t0)
	t0 = time.Now()
	counts := %(pool)s.Map(countRange, rs).([]int)
	dp := time.Since(t0)
	total := 0
	for _, c := range counts {
		total += c
	}
	fmt.Println("R", ds.Nanoseconds(), dp.Nanoseconds(), serial, total)
}'''

GO_PROGRAM = 'package main\n\nimport ("fmt"; "math"; "time")\n' + GO_FUNCS + r'''
func main() {
	t0 := time.Now()
	c := countPrimes(0, %(limit)d)
	fmt.Println("R", time.Since(t0).Nanoseconds(), c)
}
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rev")
    ap.add_argument("--gomp")
    args = ap.parse_args()
    mpbench.LOAD_BEFORE = os.getloadavg()[0]
    t_start = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="gomp-bench-native-")
    kernel = None
    try:
        _, gomp, pydir = mpbench.setup(tmp, args.gomp, args.rev)
        with open(os.path.join(pydir, "poolbench.py"), "w") as f:
            f.write(poolbench.PY_BENCH.lstrip())
        godir = os.path.join(tmp, "gobench")
        os.mkdir(godir)
        with open(os.path.join(godir, "main.go"), "w") as f:
            f.write(GO_PROGRAM.replace("%(limit)d", str(LIMIT)))
        with open(os.path.join(godir, "go.mod"), "w") as f:
            f.write("module gobench\n\ngo 1.26\n")
        subprocess.run(["go", "build", "-o", "gobench", "."], cwd=godir, check=True)
        kernel = mpbench.Kernel("gomp")
        kernel.run(GO_DECLS)
        # The switch reaches processes started after it: each side has its own pool.
        kernel.run("poolOn := mp.NewPool(2)\nfmt.Println(poolOn.Map(countRange, [][]int{{0, 10}}))")
        kernel.run("//gomp:native off\npoolOff := mp.NewPool(2)\nfmt.Println(poolOff.Map(countRange, [][]int{{0, 10}}))")
        pools = {"tier": "poolOn", "interp": "poolOff"}
        res = {"tier": [], "interp": [], "py": [], "go": []}
        for side, directive in (("tier", "//gomp:native on"), ("interp", "//gomp:native off")):
            code = GO_RUN % {"directive": directive, "pool": pools[side], "limit": LIMIT, "k": K}
            poolbench.gomp_rows(kernel, code)  # untimed: the tier's build lands here
        order = ["tier", "interp", "py", "go"]
        for r in range(args.repeats):
            for impl in order:
                if impl in ("tier", "interp"):
                    d = "//gomp:native on" if impl == "tier" else "//gomp:native off"
                    rows = poolbench.gomp_rows(kernel, GO_RUN % {"directive": d, "pool": pools[impl], "limit": LIMIT, "k": K})
                    res[impl] += [[x / 1e9 for x in row[:2]] for row in rows]
                elif impl == "py":
                    _, rows = poolbench.py_rows(pydir, "primes", LIMIT, 1, K)
                    res["py"] += [row[:2] for row in rows]
                else:
                    out = subprocess.run(["./gobench"], cwd=godir, capture_output=True, text=True, check=True).stdout
                    res["go"].append([int(out.split()[1]) / 1e9])
            order.reverse()
        kernel.run("//gomp:native on")
        m = statistics.median
        info = mpbench.versions(gomp)
        load = f"{mpbench.LOAD_BEFORE:.2f} before, {os.getloadavg()[0]:.2f} after"
        ts, tp = m(r[0] for r in res["tier"]), m(r[1] for r in res["tier"])
        is_, ip = m(r[0] for r in res["interp"]), m(r[1] for r in res["interp"])
        ps, pp = m(r[0] for r in res["py"]), m(r[1] for r in res["py"])
        gs = m(r[0] for r in res["go"])
        tsp, psp, isp = m(r[0] / r[1] for r in res["tier"]), m(r[0] / r[1] for r in res["py"]), m(r[0] / r[1] for r in res["interp"])
        f = mpbench.fmt_t
        lines = [
            f"gomp {info['gomp']}; CPython {info['python']}; {info['cpu']}; load average {load}; "
            f"{args.repeats} runs each, medians; the whole run took {(time.perf_counter() - t_start) / 60:.1f} min.",
            "",
            "| primes below 2,000,000 | gomp, compiled tier | gomp, interpreter | CPython | compiled Go | tier / CPython | tier / Go |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| serial, in a cell | {f(ts)} | {f(is_)} | {f(ps)} | {f(gs)} | {ts / ps:.3f} | {ts / gs:.2f} |",
            f"| Pool(2).Map over 16 ranges | {f(tp)} | {f(ip)} | {f(pp)} | | {tp / pp:.3f} | |",
            f"| Pool speedup | {tsp:.2f}× | {isp:.2f}× | {psp:.2f}× | | | |",
        ]
        print("\n".join(lines))
    finally:
        if kernel is not None:
            kernel.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
