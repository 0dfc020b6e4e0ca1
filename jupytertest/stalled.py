"""iopub subscribers that never read do not hold up a client that does.

Raw TCP connections to the iopub port complete the ZeroMQ handshake as SUB
sockets, with a 4 KiB receive buffer, subscribe to everything, read the first
messages (so the subscription is known to be in place) and then never read
again. Meanwhile a real client runs a cell that prints 20 MiB in numbered
lines: it must get every line, in order, and the kernel must go on running
cells. The time of the cell with and without stalled subscribers is logged
(figures go to bench/README.md; nothing here asserts a time).

With the argument "bench", prints the timings instead: {"problems": [...],
"seconds": {"0": [...], "3": [...]}}.

Prints {"problems": [...]} for problems_test.go.
"""

import socket
import statistics
import sys
import time

from common import execute, log, problem, run, start, stop, text_of

LINES = 20480  # of 1 KiB: 20 MiB
CELL = f"""import ("fmt"; "strings")
pad := strings.Repeat("x", 1016)
for i := 0; i < {LINES}; i++ {{ fmt.Printf("%06d %s\\n", i, pad) }}"""


def stalled_subscriber(host, port):
    """A SUB handshake by hand, a subscription to everything, nothing read."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, port))
    greeting = b"\xff" + b"\x00" * 8 + b"\x7f\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32
    s.sendall(greeting)
    name, value = b"Socket-Type", b"SUB"
    ready = b"\x05READY" + bytes([len(name)]) + name + len(value).to_bytes(4, "big") + value
    s.sendall(bytes([0x04, len(ready)]) + ready)
    s.sendall(b"\x00\x01\x01")  # a one-frame message "\x01": subscribe to ""
    return s


def wait_subscribed(kc, subs):
    """Run cells until every stalled subscriber has received a status
    message: its subscription is then in place. It reads nothing after."""
    seen = [b""] * len(subs)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        execute(kc, "1")
        for i, s in enumerate(subs):
            s.settimeout(0.1)
            try:
                while b"execution_state" not in seen[i]:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    seen[i] += chunk
            except socket.timeout:
                pass
        if all(b"execution_state" in x for x in seen):
            return True
    problem("the stalled subscribers never got a message: their subscription did not take")
    return False


def big_cell(kc, what):
    start_t = time.monotonic()
    reply, outputs = execute(kc, CELL, timeout=120)
    took = time.monotonic() - start_t
    if reply.get("status") != "ok":
        problem(f"{what}: the cell failed: {reply}")
        return took
    lines = text_of(outputs).splitlines()
    want = [f"{i:06d} " for i in range(LINES)]
    got = [line[:7] for line in lines]
    if got != want:
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        problem(f"{what}: got {len(got)} of {LINES} lines; the first wrong or missing is line {first}")
    elif any(len(line) != 1023 for line in lines):
        problem(f"{what}: some lines were cut")
    log(f"{what}: 20 MiB cell in {took:.2f}s")
    return took


def main(bench=False):
    km, kc = start()
    info = km.get_connection_info()
    host, port = info["ip"], info["iopub_port"]
    rounds = 5 if bench else 1
    seconds = {"0": [], "3": []}
    for _ in range(rounds):
        seconds["0"].append(big_cell(kc, "no stalled subscriber"))
    subs = [stalled_subscriber(host, port) for _ in range(3)]
    try:
        if wait_subscribed(kc, subs):
            for _ in range(rounds):
                seconds["3"].append(big_cell(kc, "three stalled subscribers"))
            reply, outputs = execute(kc, '"still here"')
            if reply.get("status") != "ok":
                problem(f"after the stalled subscribers, a cell gave {reply}")
    finally:
        for s in subs:
            s.close()
    stop(km, kc)
    if bench:
        med = {k: statistics.median(v) for k, v in seconds.items() if v}
        return {"seconds": seconds, "median": med}
    return {}


if __name__ == "__main__":
    run(lambda: main(bench=sys.argv[1:] == ["bench"]))
