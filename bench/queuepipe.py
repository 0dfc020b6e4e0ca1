"""Queue and Pipe benchmark: gomp's mp side by side with CPython's multiprocessing.

Measures, for gomp (cells run on a real gomp kernel through jupyter_client,
timed inside the cell with Go's time package) and CPython (a script run by
/usr/bin/python3, default start method, timed with time.perf_counter):
  queue ints   one producer process puts N small ints into a Queue, the
               parent gets them; items per second from the first item got to
               the last (so the child's start-up is not counted)
  queue bytes  the same with M 1 KiB byte strings ([]byte / bytes)
  pipe ping    round trips per second parent <-> child over a duplex Pipe:
               the parent sends an int, the child sends it back plus one

Runs alternate gomp and CPython; medians and the ratio gomp / CPython are
reported as a Markdown table (higher is better for every row).

Usage (from the repository root, with Debian's Jupyter):
  /usr/bin/python3 bench/queuepipe.py [--ints 200000] [--bytes 20000] [--pings 20000] [--runs 5] [--out FILE]
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp as mpbench  # noqa: E402  (bench/mp.py)

GO_DECLS = r'''
import ("fmt"; "mp"; "time")

func produce(q *mp.Queue, n, size int) {
	if size == 0 {
		for i := range n {
			q.Put(i)
		}
	} else {
		b := make([]byte, size)
		for range n {
			q.Put(b)
		}
	}
	q.Put(nil)
}

func echo(c *mp.Conn) {
	for {
		n := c.Recv().(int)
		if n < 0 {
			return
		}
		c.Send(n + 1)
	}
}
'''

GO_QUEUE = r'''
q := mp.NewQueue()
p := mp.NewProcess(produce, q, %(n)d, %(size)d)
p.Start()
q.Get()
t0 := time.Now()
got := 1
for q.Get() != nil {
	got++
}
el := time.Since(t0)
p.Join()
fmt.Println(el.Seconds(), got)
'''

GO_PING = r'''
a, b := mp.Pipe()
p := mp.NewProcess(echo, b)
p.Start()
n := 0
for range 100 {
	a.Send(n)
	n = a.Recv().(int)
}
t0 := time.Now()
for range %(n)d {
	a.Send(n)
	n = a.Recv().(int)
}
el := time.Since(t0)
a.Send(-1)
p.Join()
fmt.Println(el.Seconds(), n)
'''

PY_SCRIPT = r'''
import json, multiprocessing as mp, sys, time

def produce(q, n, size):
    if size == 0:
        for i in range(n):
            q.put(i)
    else:
        b = bytes(size)
        for _ in range(n):
            q.put(b)
    q.put(None)

def echo(c):
    while True:
        n = c.recv()
        if n < 0:
            return
        c.send(n + 1)

def queue(n, size):
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, n, size))
    p.start()
    q.get()
    t0 = time.perf_counter()
    got = 1
    while q.get() is not None:
        got += 1
    el = time.perf_counter() - t0
    p.join()
    return el, got

def ping(n):
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b,))
    p.start()
    k = 0
    for _ in range(100):
        a.send(k)
        k = a.recv()
    t0 = time.perf_counter()
    for _ in range(n):
        a.send(k)
        k = a.recv()
    el = time.perf_counter() - t0
    a.send(-1)
    p.join()
    return el, k

if __name__ == "__main__":
    what, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    el, got = queue(n, size) if what == "queue" else ping(n)
    print(json.dumps([el, got]))
'''


def go_run(k, what, n, size):
    code = (GO_QUEUE if what == "queue" else GO_PING) % {"n": n, "size": size}
    el, got = k.run(code).split()
    return float(el), int(got)


def py_run(pydir, what, n, size):
    r = subprocess.run(["/usr/bin/python3", "qbench.py", what, str(n), str(size)], cwd=pydir,
                       capture_output=True, text=True, check=True)
    return tuple(json.loads(r.stdout))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ints", type=int, default=200000)
    ap.add_argument("--bytes", type=int, default=20000)
    ap.add_argument("--pings", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gomp", help="a gomp binary to use instead of building one")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    t_start = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="gomp-bench-queue-")
    k = None
    try:
        _, gomp, pydir = mpbench.setup(tmp, args.gomp)
        with open(os.path.join(pydir, "qbench.py"), "w") as f:
            f.write(PY_SCRIPT.lstrip())
        k = mpbench.Kernel("gomp")
        k.run(GO_DECLS)
        rows = [
            ("queue ints", "items/s", "queue", args.ints, 0),
            ("queue 1 KiB bytes", "items/s", "queue", args.bytes, 1024),
            ("pipe ping-pong", "round trips/s", "ping", args.pings, 0),
        ]
        res = {}
        for name, unit, what, n, size in rows:
            go_rates, py_rates = [], []
            for r in range(args.runs):
                order = [("go", go_run), ("py", None)] if r % 2 == 0 else [("py", None), ("go", go_run)]
                for who, _ in order:
                    if who == "go":
                        el, got = go_run(k, what, n, size)
                        go_rates.append(n / el if what == "ping" else (got - 1) / el)
                    else:
                        el, got = py_run(pydir, what, n, size)
                        py_rates.append(n / el if what == "ping" else (got - 1) / el)
                want = n + 100 if what == "ping" else n
                if got != want:
                    raise RuntimeError(f"{name}: got {got}, want {want}")
            res[name] = (unit, statistics.median(go_rates), statistics.median(py_rates))
            print(f"{name}: gomp {res[name][1]:,.0f} CPython {res[name][2]:,.0f} {unit}", file=sys.stderr)
        py_ver = subprocess.run(["/usr/bin/python3", "-c", "import sys, multiprocessing as m; print(sys.version.split()[0], m.get_start_method())"],
                                capture_output=True, text=True).stdout.strip()
        lines = [
            f"Queue and Pipe, medians of {args.runs} runs each, alternating; {platform.machine()}, "
            f"{os.cpu_count()} CPUs, load {load:.2f} at start; CPython {py_ver} (start method); "
            f"{time.perf_counter() - t_start:.0f} s in all.",
            "",
            "| measure | unit | gomp (cells) | CPython | gomp / CPython |",
            "|---|---|---:|---:|---:|",
        ]
        for name, unit, what, n, size in rows:
            u, g, p = res[name]
            count = f"{n:,}"
            lines.append(f"| {name} ({count}) | {u} | {g:,.0f} | {p:,.0f} | {g / p:.2f} |")
        text = "\n".join(lines) + "\n"
        print(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text)
    finally:
        if k is not None:
            k.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
