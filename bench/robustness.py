"""Robustness benchmark: what peers without the key, and one large cell, cost
the kernel's memory; gomp side by side with ipykernel, in one run.

For each kernel, freshly started each time:
  flood    16 raw TCP peers on the shell port complete the ZeroMQ handshake
           as DEALERs and each sends an unsigned message whose content frame
           is SIZE MB, all at once, while a real client runs a trivial cell
           every 0.2 s. Reported: the kernel's resident memory before, its
           peak (VmHWM) and after, the slowest cell during the flood, and
           whether the next cell is answered.
  cell     one signed cell of 100 MB (a comment and `1`), then the resident
           memory 2 s after its reply, and the peak.

Usage (from the repository root, with Debian's Jupyter and ipykernel):
  /usr/bin/python3 bench/robustness.py [--size 100] [--kernels gomp,ipykernel]
      [--skip-cell] [--gomp BINARY]
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp as mpbench  # noqa: E402  (bench/mp.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CELL = {"gomp": ("// ", "\n1"), "ipykernel": ("# ", "\n1")}


def status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # MiB
    return float("nan")


def zmtp_dealer(host, port):
    s = socket.create_connection((host, port), timeout=120)
    greeting = b"\xff" + b"\x00" * 8 + b"\x7f\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32
    s.sendall(greeting)
    name, value = b"Socket-Type", b"DEALER"
    ready = b"\x05READY" + bytes([len(name)]) + name + len(value).to_bytes(4, "big") + value
    s.sendall(bytes([0x04, len(ready)]) + ready)
    return s


def frame(body, more):
    flags = 0x01 if more else 0
    if len(body) > 255:
        return bytes([flags | 0x02]) + len(body).to_bytes(8, "big") + body
    return bytes([flags, len(body)]) + body


def attacker(host, port, content, outcome, i):
    try:
        s = zmtp_dealer(host, port)
        head = b"".join(frame(f, True) for f in (b"<IDS|MSG>", b"0" * 64, b"{}", b"{}", b"{}"))
        s.sendall(head)
        s.sendall(frame(content, False))
        outcome[i] = "sent"
        s.close()
    except OSError as e:
        outcome[i] = type(e).__name__


def cell_time(kc, code, timeout=120):
    t = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        msg = kc.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return time.perf_counter() - t, msg["content"]["status"]


def start(name):
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=name)
    km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    for _ in range(20):
        cell_time(kc, "1")
    return km, kc


def flood(name, size_mb, peers=16):
    km, kc = start(name)
    pid = km.provisioner.pid
    info = km.get_connection_info()
    try:
        before = status(pid, "VmRSS")
        content = b"x" * (size_mb << 20)
        outcome = [None] * peers
        threads = [threading.Thread(target=attacker, args=(info["ip"], info["shell_port"], content, outcome, i))
                   for i in range(peers)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        slowest = 0.0
        while any(t.is_alive() for t in threads):
            took, _ = cell_time(kc, "1")
            slowest = max(slowest, took)
            time.sleep(0.2)
        for t in threads:
            t.join()
        flood_s = time.perf_counter() - t0
        time.sleep(3)  # the kernel reads the last messages, drops them
        took, st = cell_time(kc, "1")
        return {
            "rss before": before, "peak": status(pid, "VmHWM"), "rss after": status(pid, "VmRSS"),
            "slowest cell": slowest, "next cell": f"{st} in {took * 1000:.1f} ms",
            "peers": ",".join(sorted(set(map(str, outcome)))), "flood s": flood_s,
        }
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def big_cell(name, size_mb=100):
    km, kc = start(name)
    pid = km.provisioner.pid
    try:
        before = status(pid, "VmRSS")
        pre, post = CELL[name]
        took, st = cell_time(kc, pre + "x" * (size_mb << 20) + post, timeout=600)
        time.sleep(2)
        return {"rss before": before, "peak": status(pid, "VmHWM"), "rss after": status(pid, "VmRSS"),
                "cell": f"{st} in {took:.1f} s"}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    tmp = tempfile.mkdtemp(prefix="gomp-robust-")
    try:
        measure_all(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure_all(tmp):
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=100, help="MB per unsigned message")
    ap.add_argument("--kernels", default="gomp,ipykernel")
    ap.add_argument("--skip-cell", action="store_true")
    ap.add_argument("--gomp", help="a gomp binary to measure instead of building this tree's")
    args = ap.parse_args()
    gomp = args.gomp
    if not gomp:
        gomp = os.path.join(tmp, "gomp")
        subprocess.run(["go", "build", "-o", gomp, "."], cwd=ROOT, check=True)
    mpbench.use_kernelspecs(tmp, gomp)
    for name in args.kernels.split(","):
        r = flood(name, args.size)
        print(f"{name} flood 16 x {args.size} MB unsigned: " + ", ".join(
            f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()), flush=True)
        if not args.skip_cell:
            r = big_cell(name)
            print(f"{name} signed 100 MB cell: " + ", ".join(
                f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()), flush=True)


if __name__ == "__main__":
    main()
