"""Cells that print a lot: gomp side by side with ipykernel, in one run.

Two cells, each the same loop in Go and in Python:
  - short: 100,000 prints of a short line ("línea N");
  - flood: 2,000,000 prints of a 100-byte line (200 MB; gomp delivers the
    first 4 MiB of a cell and drops the rest with a notice, ipykernel
    sends it all).
Each is timed with jupyter_client from execute_request to its execute_reply
on the shell channel, while a thread drains iopub (the kernel is not made to
wait for a slow reader). The kernels alternate which goes first in each
round. Medians over the rounds, and the ratio gomp / ipykernel.

Usage (from the repository root, with Debian's Jupyter and ipykernel):
  /usr/bin/python3 bench/prints.py [--rounds 5] [--gomp BINARY] [--cells short,flood]
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp as mpbench  # noqa: E402  (bench/mp.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PAD = "x" * 91  # "%07d " + PAD + "\n" is 100 bytes

CELLS = {
    "short": {
        "title": "100,000 prints of a short line",
        "gomp": 'import "fmt"\nfor i := 0; i < 100000; i++ { fmt.Println("línea", i) }',
        "ipykernel": 'for i in range(100000):\n    print("línea", i)',
    },
    "flood": {
        "title": "2,000,000 prints of 100 bytes",
        "gomp": f'import "fmt"\nfor i := 0; i < 2000000; i++ {{ fmt.Printf("%07d {PAD}\\n", i) }}',
        "ipykernel": f'for i in range(2000000):\n    print(f"{{i:07d}} {PAD}")',
    },
}


class Drained:
    """A kernel whose iopub is read all the time by a thread, which counts
    the stdout bytes of each request."""

    def __init__(self, name):
        from jupyter_client.manager import KernelManager

        self.name = name
        self.km = KernelManager(kernel_name=name)
        self.km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.lock = threading.Lock()
        self.bytes = {}
        self.idle = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.drain, daemon=True)
        self.thread.start()

    def drain(self):
        import queue
        while not self.stop.is_set():
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            parent = msg["parent_header"].get("msg_id")
            with self.lock:
                if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                    self.bytes[parent] = self.bytes.get(parent, 0) + len(msg["content"]["text"].encode())
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    self.idle[parent] = True

    def run(self, code, timeout=900):
        """Seconds from execute_request to execute_reply, and the stream
        bytes the client got (read after idle)."""
        t0 = time.perf_counter()
        msg_id = self.kc.execute(code)
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        took = time.perf_counter() - t0
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{self.name}: the cell failed: {reply['content']}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.idle.get(msg_id):
                    return took, self.bytes.get(msg_id, 0)
            time.sleep(0.01)
        raise RuntimeError(f"{self.name}: no idle after the reply")

    def close(self):
        self.stop.set()
        self.thread.join()
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cells", default="short,flood")
    ap.add_argument("--kernels", default="gomp,ipykernel")
    ap.add_argument("--gomp", help="a gomp binary to measure instead of building this tree's")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="gomp-prints-")
    try:
        gomp = args.gomp
        if not gomp:
            gomp = os.path.join(tmp, "gomp")
            subprocess.run(["go", "build", "-o", gomp, "."], cwd=ROOT, check=True)
        mpbench.use_kernelspecs(tmp, gomp)
        measure(args, gomp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(args, gomp):
    names = args.kernels.split(",")
    cells = args.cells.split(",")
    before = loadavg()
    kernels = {n: Drained(n) for n in names}
    times = {(c, n): [] for c in cells for n in names}
    got = {}
    try:
        for r in range(args.rounds):
            order = names if r % 2 == 0 else names[::-1]
            for c in cells:
                for n in order:
                    took, nbytes = kernels[n].run(CELLS[c][n])
                    times[(c, n)].append(took)
                    got[(c, n)] = nbytes
                    print(f"round {r + 1} {c} {n}: {took:.3f} s, {nbytes} bytes", file=sys.stderr, flush=True)
    finally:
        for k in kernels.values():
            k.close()
    after = loadavg()
    version = subprocess.run([gomp, "version"], capture_output=True, text=True).stdout.strip()
    print(f"Medians over {args.rounds} rounds, execute_request → execute_reply. {version}; "
          f"Python {platform.python_version()}; load average {before} before, {after} after.\n")
    print("| cell | gomp | ipykernel | gomp / ipykernel | stdout bytes the client got (gomp, ipykernel) |")
    print("| --- | ---: | ---: | ---: | --- |")
    for c in cells:
        med = {n: statistics.median(times[(c, n)]) for n in names}
        ratio = med["gomp"] / med["ipykernel"] if "gomp" in med and "ipykernel" in med else float("nan")
        counts = ", ".join(f"{got[(c, n)]:,}" for n in names)
        cols = " | ".join(f"{med[n]:.3f} s" for n in names)
        print(f"| {CELLS[c]['title']} | {cols} | {ratio:.3f} | {counts} |", flush=True)


if __name__ == "__main__":
    main()
