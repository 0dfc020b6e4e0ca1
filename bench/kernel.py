"""Kernel benchmark: gomp side by side with ipykernel, in one run.

Measures, for each kernel, with jupyter_client as the frontend:
  start      from launching the kernel process to its kernel_info_reply
  roundtrip  a trivial cell (`1 + 1`) from execute_request to iopub idle
  rss        the resident memory of the kernel and the processes below it
             (gomp's session process) after 200 such cells, summed
  pss        the same as a proportional set size: pages the processes share
             (gomp's kernel and session map one binary) are counted once
  interrupt  from interrupt_kernel() during an endless loop to the error reply

Each run starts both kernels in turn (alternating which goes first, so drift
in the machine's load hits both alike), measures everything above on each, and
shuts them down. Medians over the runs are reported with the ratio
gomp / ipykernel, as a Markdown table.

Usage (from the repository root, with Debian's Jupyter and ipykernel):
  /usr/bin/python3 bench/kernel.py [--runs 100] [--cells 200] [--out FILE]

It builds gomp itself (go build) into a temporary directory and registers both
kernels in a temporary JUPYTER_PATH, so the user's own kernels are not used.
"""

import argparse
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

KERNELS = {
    "gomp": {"trivial": "1 + 1", "loop": "for {\n}"},
    "ipykernel": {"trivial": "1 + 1", "loop": "while True:\n    pass"},
}

TARGETS = {  # gomp / ipykernel, from the kernel issue
    "start": ("≤ 0.05 (1/20)", 1 / 20),
    "roundtrip": ("≤ 0.33 (1/3)", 1 / 3),
    "rss": ("≤ 0.55", 0.55),
    "pss": ("≤ 0.55", 0.55),
    "rss_idle": ("≤ 0.55", 0.55),
    "interrupt": ("≤ 1", 1.0),
}

# How long the kernels sit idle after the cells before rss_idle is read:
# gomp gives the memory its cells freed back after 0.5 s idle.
IDLE_S = 1.0

LOAD_BEFORE = 0.0  # the machine's load when the run started, for the report

LABELS = {
    "start": "start → kernel_info_reply",
    "roundtrip": "trivial cell `1 + 1` → iopub idle",
    "rss": "RSS after {cells} cells (kernel + session)",
    "pss": "PSS after {cells} cells (kernel + session)",
    "rss_idle": "RSS after {cells} cells and 1 s idle (kernel + session)",
    "interrupt": "interrupt endless loop → error reply",
}


def setup(tmp):
    """Build gomp and write both kernelspecs under tmp; return JUPYTER_PATH."""
    gomp = os.path.join(tmp, "gomp")
    subprocess.run(["go", "build", "-o", gomp, "."], cwd=ROOT, check=True)
    return mpbench.use_kernelspecs(tmp, gomp), gomp


def wait_reply(kc, msg_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def wait_iopub(kc, msg_id, pred, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id and pred(msg):
            return msg


def is_idle(msg):
    return msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def pss_bytes(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no Pss")


def tree_bytes(pid, measure=rss_bytes):
    """measure summed over pid and every process below it (gomp runs cells
    in a child)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += measure(p)
        except (OSError, RuntimeError):
            continue  # gone, or a zombie
        todo.extend(children.get(p, []))
    return total


def smaps_kib(pid, field):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field}")


def process_memory(pid):
    """RSS, PSS and anonymous memory of pid ("kernel") and of each process
    below it, by role ("session" for gomp's, "child" for any other)."""
    roles = {pid: "kernel"}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            roles[int(d)] = "session" if b"session" in argv[1:2] else "child"
    out = {}
    for p, role in roles.items():
        try:
            out[role] = {m: smaps_kib(p, f) * 1024 for m, f in
                         (("rss", "Rss"), ("pss", "Pss"), ("anon", "Anonymous"))}
        except (OSError, RuntimeError):
            continue
    return out


def breakdown_table(results):
    """Per process medians of RSS, PSS and anonymous memory after the cells."""
    lines = ["", "Per process, after the cells (medians):", "",
             "| process | RSS | PSS | anonymous |", "| --- | ---: | ---: | ---: |"]
    for kernel, r in results.items():
        runs = r.get("processes", [])
        for role in ("kernel", "session"):
            got = [run[role] for run in runs if role in run]
            if not got:
                continue
            med = {m: statistics.median(g[m] for g in got) for m in ("rss", "pss", "anon")}
            lines.append(f"| {kernel} {role} | " + " | ".join(fmt("rss", med[m]) for m in ("rss", "pss", "anon")) + " |")
    return "\n".join(lines) + "\n"


def one_run(name, cells, results):
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    wait_reply(kc, msg_id)
    results["start"].append(time.perf_counter() - t0)
    try:
        # jupyter_client's own readiness check, so the iopub subscription is
        # in place before the timed cells (its cost is not measured).
        kc.wait_for_ready(timeout=60)
        code = KERNELS[name]["trivial"]
        for _ in range(cells):
            t = time.perf_counter()
            msg_id = kc.execute(code)
            wait_iopub(kc, msg_id, is_idle)
            results["roundtrip"].append(time.perf_counter() - t)
            reply = wait_reply(kc, msg_id)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{name}: {code!r} failed: {reply['content']}")
        results["rss"].append(tree_bytes(km.provisioner.pid))
        results["pss"].append(tree_bytes(km.provisioner.pid, pss_bytes))
        results.setdefault("processes", []).append(process_memory(km.provisioner.pid))
        time.sleep(IDLE_S)
        results["rss_idle"].append(tree_bytes(km.provisioner.pid))

        msg_id = kc.execute(KERNELS[name]["loop"])
        wait_iopub(kc, msg_id, lambda m: m["msg_type"] == "execute_input")
        time.sleep(0.1)
        t = time.perf_counter()
        km.interrupt_kernel()
        reply = wait_reply(kc, msg_id, timeout=30)
        results["interrupt"].append(time.perf_counter() - t)
        if reply["content"]["status"] != "error":
            raise RuntimeError(f"{name}: interrupted loop replied {reply['content']}")
        wait_iopub(kc, msg_id, is_idle)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def fmt(measure, value):
    if measure in ("rss", "pss", "rss_idle"):
        return f"{value / (1 << 20):.1f} MiB"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def versions(gomp):
    import ipykernel
    import jupyter_client

    go = subprocess.run([gomp, "version"], capture_output=True, text=True).stdout.strip().removeprefix("gomp ")
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "gomp": go or "?",
        "ipykernel": ipykernel.__version__,
        "python": platform.python_version(),
        "jupyter_client": jupyter_client.__version__,
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "load": "{:.2f} before, {:.2f} after".format(LOAD_BEFORE, os.getloadavg()[0]),
    }


def table(results, runs, cells, info):
    lines = [
        f"Medians over {runs} runs; the round trip over {runs} × {cells} cells. "
        f"gomp {info['gomp']}; ipykernel {info['ipykernel']} (Python {info['python']}); "
        f"jupyter_client {info['jupyter_client']}; {info['cpu']}; "
        f"load average {info['load']}.",
        "",
        "| measure | gomp | ipykernel | gomp / ipykernel | target |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for m in TARGETS:
        g = statistics.median(results["gomp"][m])
        p = statistics.median(results["ipykernel"][m])
        ratio = g / p
        label, limit = TARGETS[m]
        verdict = "met" if ratio <= limit else "**missed**"
        lines.append(f"| {LABELS[m].format(cells=cells)} | {fmt(m, g)} | {fmt(m, p)} | "
                     f"{ratio:.3f} | {label}: {verdict} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--cells", type=int, default=200)
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--kernels", default="gomp,ipykernel",
                    help="comma-separated; the table needs both, one prints medians only")
    args = ap.parse_args()

    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="gomp-bench-")
    try:
        _, gomp = setup(tmp)
        # Only silences debugpy's start-up warning about frozen modules.
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        order = args.kernels.split(",")
        results = {k: {m: [] for m in TARGETS} for k in order}
        for i in range(args.runs):
            for name in order:
                one_run(name, args.cells, results[name])
            order.reverse()
            print(f"run {i + 1}/{args.runs}: " + ", ".join(
                f"{k} start {fmt('start', results[k]['start'][-1])}" for k in results),
                file=sys.stderr, flush=True)
        if len(results) != 2:
            for k, r in results.items():
                print(k, {m: fmt(m, statistics.median(v)) for m, v in r.items() if m in TARGETS})
            return
        out = table(results, args.runs, args.cells, versions(gomp)) + breakdown_table(results)
        print(out)
        if args.out:
            with open(args.out, "w") as f:
                f.write(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
