"""Manager benchmark: gomp's mp.Manager side by side with CPython's multiprocessing.Manager, in one run.

Measures, for gomp (through a real kernel, driven by jupyter_client) and for
CPython's multiprocessing (fork, its default on Linux):
  dict   a child process doing d[k] = i then d[k] on a manager dict (100
         keys), n times: 2n operations, timed inside the child (gomp: Go's
         time package; CPython: time.perf_counter) and sent back through a
         manager queue; ops/s
  lock   a child doing acquire + release of a manager lock n times; ops/s
         of pairs
The manager is served by the kernel (gomp) or by the server process that
multiprocessing.Manager() starts (CPython), and is made outside the timing.
Rounds alternate the order of gomp and CPython so that drift in the machine's
load hits both alike. Medians are reported with the ratios gomp / CPython.

Usage (from the repository root, with Debian's Jupyter):
  /usr/bin/python3 bench/manager.py [--n 2000] [--rounds 10] [--out FILE] [--rev HEAD]

It reuses bench/mp.py's helpers: it builds gomp into a temporary directory
and registers it in a temporary JUPYTER_PATH.
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
import mp as mpbench  # noqa: E402  (bench/mp.py)

GO_DECLS = r'''
import (
	"fmt"
	"mp"
	"time"
)

func dictWorker(d *mp.DictProxy, n int, out *mp.QueueProxy) {
	t := time.Now()
	for i := 0; i < n; i++ {
		d.Set(i%100, i)
		_ = d.Get(i % 100)
	}
	out.Put(time.Since(t).Nanoseconds())
}

func lockWorker(l *mp.LockProxy, n int, out *mp.QueueProxy) {
	t := time.Now()
	for i := 0; i < n; i++ {
		l.Acquire()
		l.Release()
	}
	out.Put(time.Since(t).Nanoseconds())
}
'''

# Made once, in a block so that no variable of it is copied to the
# children as a global... except the manager's proxies, which children get
# as arguments.
GO_SETUP = '''var benchManager = mp.NewManager()
var benchDict = benchManager.Dict()
var benchLock = benchManager.Lock()
var benchOut = benchManager.Queue()
'''

GO_RUN = '''{
	p := mp.NewProcess(%(worker)s, %(proxy)s, %(n)d, benchOut)
	p.Start()
	p.Join()
	if p.ExitCode() != 0 {
		panic(fmt.Sprint("exit code ", p.ExitCode()))
	}
	fmt.Println("D", benchOut.Get())
}
'''

PY_RUNNER = r'''
import json
import multiprocessing
import sys
import time


def dict_worker(d, n, out):
    t = time.perf_counter()
    for i in range(n):
        d[i % 100] = i
        d[i % 100]
    out.put(time.perf_counter() - t)


def lock_worker(l, n, out):
    t = time.perf_counter()
    for i in range(n):
        l.acquire()
        l.release()
    out.put(time.perf_counter() - t)


if __name__ == "__main__":
    what, n = sys.argv[1], int(sys.argv[2])
    with multiprocessing.Manager() as m:
        out = m.Queue()
        if what == "dict":
            target, proxy = dict_worker, m.dict()
        else:
            target, proxy = lock_worker, m.Lock()
        p = multiprocessing.Process(target=target, args=(proxy, n, out))
        p.start()
        p.join()
        print(json.dumps(out.get()))
'''

MEASURES = {
    # name: (gomp worker, gomp proxy, Python's name, operations per iteration, what an op is)
    "dict": ("dictWorker", "benchDict", "dict", 2, "`d[k] = i` or `d[k]` on a manager dict, from a child"),
    "lock": ("lockWorker", "benchLock", "lock", 1, "`acquire` + `release` of a manager lock, from a child"),
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def measure(args, gomp_k, pydir):
    res = {name: {"gomp": [], "cpython": []} for name in MEASURES}
    for r in range(args.rounds):
        for name, (worker, proxy, pyname, per, _) in MEASURES.items():
            ops = args.n * per

            def go():
                out = gomp_k.run(GO_RUN % {"worker": worker, "proxy": proxy, "n": args.n})
                ns = int(out.split("D", 1)[1].split()[0])
                res[name]["gomp"].append(ops / (ns / 1e9))

            def py():
                r = subprocess.run([sys.executable, "runner.py", pyname, str(args.n)], cwd=pydir,
                                   capture_output=True, text=True, check=True)
                res[name]["cpython"].append(ops / json.loads(r.stdout))

            for f in ((go, py) if r % 2 == 0 else (py, go)):
                f()
        log(f"round {r + 1}/{args.rounds}: " + ", ".join(
            f"{n} gomp {res[n]['gomp'][-1]:,.0f}/s cpython {res[n]['cpython'][-1]:,.0f}/s" for n in MEASURES))
    return res


def table(args, res, info, elapsed):
    lines = [
        f"Medians over {args.rounds} rounds of {args.n} iterations each, alternating which goes first. "
        f"gomp {info['gomp']}; CPython {info['python']} (fork); {info['cpu']}; "
        f"load average {info['load']}; {elapsed:.0f} s.",
        "",
        "| operation | gomp ops/s | CPython ops/s | gomp / CPython | target |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, (_, _, _, _, what) in MEASURES.items():
        g, c = statistics.median(res[name]["gomp"]), statistics.median(res[name]["cpython"])
        ratio = g / c
        target = ("≥ 1: met" if ratio >= 1 else "≥ 1: missed") if name == "dict" else "—"
        lines.append(f"| {what} | {g:,.0f} | {c:,.0f} | {ratio:.2f} | {target} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="iterations per child")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--rev", help="build gomp from this commit (git archive) rather than the working tree")
    ap.add_argument("--gomp", help="a gomp binary to use instead of building one")
    args = ap.parse_args()

    mpbench.LOAD_BEFORE = os.getloadavg()[0]
    t_start = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="gomp-bench-manager-")
    gomp_k = None
    try:
        _, gomp, pydir = mpbench.setup(tmp, args.gomp, args.rev)
        with open(os.path.join(pydir, "runner.py"), "w") as f:
            f.write(PY_RUNNER.lstrip())
        gomp_k = mpbench.Kernel("gomp")
        gomp_k.run(GO_DECLS)
        gomp_k.run(GO_SETUP)
        # Warm-up: the first Start sends the session to a child.
        gomp_k.run(GO_RUN % {"worker": "dictWorker", "proxy": "benchDict", "n": 10})
        res = measure(args, gomp_k, pydir)
        info = mpbench.versions(gomp)
        info["load"] = f"{mpbench.LOAD_BEFORE:.2f} before, {os.getloadavg()[0]:.2f} after"
        if args.rev:
            rev = subprocess.run(["git", "rev-parse", "--short", args.rev], cwd=mpbench.ROOT,
                                 capture_output=True, text=True).stdout.strip()
            info["gomp"] += f", commit {rev}"
        text = table(args, res, info, time.perf_counter() - t_start)
        print(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text)
    finally:
        if gomp_k is not None:
            gomp_k.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
