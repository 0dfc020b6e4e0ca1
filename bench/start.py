"""Kernel start as clients see it: gomp side by side with ipykernel, in one run.

Measures, for each kernel, alternating which goes first in each run:
  ready      KernelManager.start_kernel() until the client's wait_for_ready()
             returns: what nbclient (nbconvert --execute, papermill, graders)
             and jupyter_console wait for before the first cell
  probes     how many kernel_info_requests wait_for_ready sent: 1 when the
             kernel's first status got through; more when the client lost it
             (its iopub subscription was not in place yet) and retried
  nbconvert  the wall clock of `jupyter nbconvert --execute` of a one-cell
             notebook (print a line), process start to exit

jupyter_client 7.4's wait_for_ready ends with a loop that reads iopub until
it has been silent for 0.2 s, so no kernel can be ready in less than 200 ms;
the table also gives `ready` less that fixed 200 ms (the part a kernel can
change).

Usage (from the repository root, with Debian's Jupyter and ipykernel):
  /usr/bin/python3 bench/start.py [--runs 30] [--nbconvert-runs 10] [--out FILE]

It builds gomp into a temporary directory and registers both kernels in a
temporary JUPYTER_PATH, so the user's own kernels are not used.
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CELLS = {"gomp": 'import "fmt"\nfmt.Println("hola")', "ipykernel": 'print("hola")'}
FLUSH = 0.2  # wait_for_ready's closing iopub silence, in jupyter_client 7.4


def ready_once(name):
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    probes = 0
    send = kc.kernel_info

    def counted(*a, **kw):
        nonlocal probes
        probes += 1
        return send(*a, **kw)

    kc.kernel_info = counted
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        took = time.perf_counter() - t0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    return took, probes


def notebook(tmp, name):
    path = os.path.join(tmp, f"one-{name}.ipynb")
    nb = {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": name, "display_name": name}},
        "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": None,
                   "outputs": [], "source": CELLS[name]}],
    }
    with open(path, "w") as f:
        json.dump(nb, f)
    return path


def nbconvert_once(path, name):
    t0 = time.perf_counter()
    out = subprocess.run(["jupyter", "nbconvert", "--execute", "--to", "notebook", "--stdout",
                          f"--ExecutePreprocessor.kernel_name={name}", path],
                         capture_output=True, text=True)
    took = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"{name}: nbconvert failed: {out.stderr[-2000:]}")
    text = "".join("".join(o.get("text", "")) for o in json.loads(out.stdout)["cells"][0]["outputs"])
    if text != "hola\n":
        raise RuntimeError(f"{name}: the notebook printed {text!r}")
    return took


def ms(v):
    return f"{v * 1000:.0f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--nbconvert-runs", type=int, default=10)
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--gomp", help="a gomp binary to measure instead of building this tree")
    ap.add_argument("--before", help="an earlier gomp binary, measured too (as gomp-before) in "
                    "the same rotation, for a before/after column")
    args = ap.parse_args()

    load_before = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="gomp-bench-")
    try:
        gomp = args.gomp or os.path.join(tmp, "gomp")
        if not args.gomp:
            subprocess.run(["go", "build", "-o", gomp, "."], cwd=ROOT, check=True)
        mpbench.use_kernelspecs(tmp, gomp)
        order = ["gomp", "ipykernel"]
        if args.before:
            d = os.path.join(tmp, "share", "jupyter", "kernels", "gomp-before")
            os.makedirs(d)
            with open(os.path.join(d, "kernel.json"), "w") as f:
                json.dump({"argv": [args.before, "kernel", "{connection_file}"], "display_name": "gomp before",
                           "language": "go", "interrupt_mode": "signal"}, f)
            CELLS["gomp-before"] = CELLS["gomp"]
            order.insert(1, "gomp-before")
        # Only silences debugpy's start-up warning about frozen modules.
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        for name in order:  # warm the page cache (a fresh build's first start is slow), not counted
            ready_once(name)
        ready = {k: [] for k in order}
        probes = {k: [] for k in order}
        conv = {k: [] for k in order}
        for i in range(args.runs):
            for name in order:
                t, n = ready_once(name)
                ready[name].append(t)
                probes[name].append(n)
            order = order[1:] + order[:1]  # each kernel goes first in turn
            print(f"ready {i + 1}/{args.runs}: " + ", ".join(
                f"{k} {ms(ready[k][-1])} ({probes[k][-1]} probes)" for k in ready), file=sys.stderr, flush=True)
        paths = {k: notebook(tmp, k) for k in order}
        for i in range(args.nbconvert_runs):
            for name in order:
                conv[name].append(nbconvert_once(paths[name], name))
            order = order[1:] + order[:1]
            print(f"nbconvert {i + 1}/{args.nbconvert_runs}: " + ", ".join(
                f"{k} {ms(conv[k][-1])}" for k in conv), file=sys.stderr, flush=True)

        import jupyter_client
        import ipykernel
        import nbclient
        go = subprocess.run([gomp, "version"], capture_output=True, text=True).stdout.strip().removeprefix("gomp ")
        def p90(v):
            return sorted(v)[int(0.9 * (len(v) - 1))]

        names = list(ready)
        cols = [k for k in names if k != "ipykernel"] + ["ipykernel"]
        lines = [
            f"Medians over {args.runs} starts and {args.nbconvert_runs} nbconvert runs per kernel. "
            f"gomp {go}; ipykernel {ipykernel.__version__}; jupyter_client {jupyter_client.__version__}; "
            f"nbclient {nbclient.__version__}; {os.cpu_count()} cores; "
            f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after.",
            "",
            "| measure | " + " | ".join(cols) + " | gomp / ipykernel |",
            "| --- |" + " ---: |" * (len(cols) + 1),
        ]

        def row(label, f, ratio=True):
            vals = {k: f(k) for k in cols}
            cells = [ms(vals[k]) if isinstance(vals[k], float) else str(vals[k]) for k in cols]
            r = f"{vals['gomp'] / vals['ipykernel']:.3f}" if ratio else ""
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {r} |")

        row("`start_kernel()` → `wait_for_ready()`, median", lambda k: statistics.median(ready[k]))
        row("the same, 90th percentile", lambda k: p90(ready[k]))
        row(f"the median less the client's fixed {ms(FLUSH)} iopub flush",
            lambda k: statistics.median(ready[k]) - FLUSH)
        row("kernel_info probes per start: median, max", lambda k: f"{statistics.median(probes[k]):g}, "
            f"{max(probes[k])}", ratio=False)
        row("starts that needed a second probe", lambda k: f"{sum(n > 1 for n in probes[k])} of {len(probes[k])}",
            ratio=False)
        row("`jupyter nbconvert --execute`, one cell, wall clock", lambda k: statistics.median(conv[k]))
        out = "\n".join(lines) + "\n"
        print(out)
        if args.out:
            with open(args.out, "w") as f:
                f.write(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
