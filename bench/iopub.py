"""iopub with stalled subscribers: gomp side by side with ipykernel, in one run.

A cell prints SIZE MiB in numbered 1 KiB lines; jupyter_client collects it
until idle. It is timed with no other subscriber, and with three raw TCP
connections to the iopub port that complete the ZeroMQ SUB handshake (4 KiB
receive buffer), subscribe to everything, read the first messages and then
never read again (new ones for each round). Medians over the rounds, and the ratio stalled / none for
each kernel (the issue's target: at most 2 for 8 MiB).

Usage (from the repository root, with Debian's Jupyter and ipykernel):
  /usr/bin/python3 bench/iopub.py [--size 8] [--rounds 5] [--gomp BINARY]
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp as mpbench  # noqa: E402  (bench/mp.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cell(name, lines):
    if name == "gomp":
        return (f'import ("fmt"; "strings")\npad := strings.Repeat("x", 1016)\n'
                f'for i := 0; i < {lines}; i++ {{ fmt.Printf("%06d %s\\n", i, pad) }}')
    return f'import sys\npad = "x" * 1016\nfor i in range({lines}):\n    sys.stdout.write(f"{{i:06d}} {{pad}}\\n")'


def stalled_subscriber(host, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, port))
    s.sendall(b"\xff" + b"\x00" * 8 + b"\x7f\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32)
    name, value = b"Socket-Type", b"SUB"
    ready = b"\x05READY" + bytes([len(name)]) + name + len(value).to_bytes(4, "big") + value
    s.sendall(bytes([0x04, len(ready)]) + ready)
    s.sendall(b"\x00\x01\x01")  # subscribe to ""
    return s


def run_cell(kc, code, timeout=300):
    """Time code from execute_request to idle; return (seconds, stdout bytes)."""
    t = time.perf_counter()
    msg_id = kc.execute(code)
    n = 0
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            n += len(msg["content"]["text"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return time.perf_counter() - t, n


def measure(name, size, rounds):
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=name)
    km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    info = km.get_connection_info()
    code = cell(name, size * 1024)
    want = size * 1024 * 1024
    out = {"none": [], "3 stalled": []}
    subs = []
    try:
        for _ in range(rounds):
            took, n = run_cell(kc, code)
            assert n == want, f"{name}: got {n} of {want} bytes"
            out["none"].append(took)
        for _ in range(rounds):
            # Fresh stalled subscribers each round: a kernel may drop or
            # disconnect the last round's.
            subs = [stalled_subscriber(info["ip"], info["iopub_port"]) for _ in range(3)]
            # Let the subscriptions take, and each read its first messages.
            for _ in range(3):
                run_cell(kc, "1")
            for s in subs:
                s.settimeout(1)
                try:
                    s.recv(4096)
                except socket.timeout:
                    pass
            took, n = run_cell(kc, code)
            assert n == want, f"{name}: got {n} of {want} bytes with stalled subscribers"
            out["3 stalled"].append(took)
            for s in subs:
                s.close()
            subs = []
    finally:
        for s in subs:
            s.close()
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {k: statistics.median(v) for k, v in out.items()}


def main():
    tmp = tempfile.mkdtemp(prefix="gomp-iopub-")
    try:
        measure_all(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure_all(tmp):
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=8, help="MiB printed by the cell")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--kernels", default="gomp,ipykernel")
    ap.add_argument("--gomp", help="a gomp binary to measure instead of building this tree's")
    args = ap.parse_args()
    gomp = args.gomp
    if not gomp:
        gomp = os.path.join(tmp, "gomp")
        subprocess.run(["go", "build", "-o", gomp, "."], cwd=ROOT, check=True)
    mpbench.use_kernelspecs(tmp, gomp)
    print(f"| kernel | {args.size} MiB, no other subscriber | with 3 stalled | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name in args.kernels.split(","):
        m = measure(name, args.size, args.rounds)
        print(f"| {name} | {m['none']:.3f} s | {m['3 stalled']:.3f} s | {m['3 stalled'] / m['none']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
