"""Peers without the key cannot make the kernel hold unbounded memory, nor
keep it from serving a client that has the key.

Against the shell port, all at once: 16 peers that complete the ZeroMQ
handshake as DEALERs and send an unsigned message with a 100 MB content frame;
16 that announce a 100 MB frame after a plausible head and then send only
1 KiB of it; 16 whose first frame header claims 2^40 bytes; and 80 that
complete the handshake and stay idle (more than the kernel's 64 connections
per socket). Meanwhile jupyter_client runs a cell every 0.2 s; each must be
answered, and
the heartbeat echoed. The kernel's resident memory (VmRSS, VmHWM) is logged,
not asserted (bench/README.md has the measurements).

Prints {"problems": [...], "rss_mib": {...}} for problems_test.go.
"""

import socket
import threading
import time

from common import execute, kernel_pid, log, problem, run, start, stop

HEAD = None  # the frames of a message's head, built in main


def frame(body, more):
    flags = 0x01 if more else 0
    if len(body) > 255:
        return bytes([flags | 0x02]) + len(body).to_bytes(8, "big") + body
    return bytes([flags, len(body)]) + body


def dealer(host, port):
    """A raw connection past the ZeroMQ handshake, or None if refused."""
    s = socket.create_connection((host, port), timeout=60)
    try:
        s.sendall(b"\xff" + b"\x00" * 8 + b"\x7f\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32)
        name, value = b"Socket-Type", b"DEALER"
        ready = b"\x05READY" + bytes([len(name)]) + name + len(value).to_bytes(4, "big") + value
        s.sendall(bytes([0x04, len(ready)]) + ready)
        got = b""
        while len(got) < 64:  # the kernel's greeting: it took the connection
            chunk = s.recv(64 - len(got))
            if not chunk:
                s.close()
                return None
            got += chunk
    except OSError:
        s.close()
        return None
    return s


def rss(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1]) // 1024
    return out


def main():
    km, kc = start()
    pid = kernel_pid(km)
    info = km.get_connection_info()
    host, port = info["ip"], info["shell_port"]
    head = b"".join(frame(f, True) for f in (b"<IDS|MSG>", b"0" * 64, b'{"msg_type": "execute_request"}', b"{}", b"{}"))
    big = b"x" * (100 << 20)
    before = rss(pid)
    conns, lock = [], threading.Lock()
    refused = [0]

    def keep(s):
        with lock:
            conns.append(s)

    def full():
        s = dealer(host, port)
        if s is None:
            refused[0] += 1
            return
        keep(s)
        try:
            s.sendall(head + frame(big, False))
        except OSError as e:
            log(f"a 100 MB sender: {e!r}")

    def slow():
        s = dealer(host, port)
        if s is None:
            refused[0] += 1
            return
        keep(s)
        try:
            s.sendall(head + bytes([0x02]) + (100 << 20).to_bytes(8, "big") + b"x" * 1024)
        except OSError as e:
            log(f"a slow sender: {e!r}")

    def huge():
        s = dealer(host, port)
        if s is None:
            refused[0] += 1
            return
        keep(s)
        try:
            s.sendall(bytes([0x02]) + (1 << 40).to_bytes(8, "big"))
        except OSError:
            pass

    def idle():
        s = dealer(host, port)
        if s is None:
            refused[0] += 1
        else:
            keep(s)

    threads = [threading.Thread(target=f) for f in [full] * 16 + [slow] * 16 + [huge] * 16 + [idle] * 80]
    for t in threads:
        t.start()
    cells = 0
    while any(t.is_alive() for t in threads) or cells < 10:
        try:
            reply, _ = execute(kc, "1")
        except Exception as e:
            problem(f"during the flood, a cell got no answer: {e!r}")
            break
        if reply.get("status") != "ok":
            problem(f"during the flood, a cell gave {reply}")
        cells += 1
        # Paced: the memory figures are then about the flood, not about
        # thousands of cells.
        time.sleep(0.2)
    for t in threads:
        t.join()
    during = rss(pid)
    hb = km.connect_hb()
    hb.send(b"ping")
    if not hb.poll(10000):
        problem("during the flood, no heartbeat echo")
    hb.close(linger=0)
    if refused[0] == 0:
        problem("no connection was refused: the 64 per socket cap did not hold")
    for s in conns:
        s.close()
    time.sleep(3)
    reply, _ = execute(kc, "2")
    if reply.get("status") != "ok":
        problem(f"after the flood, a cell gave {reply}")
    after = rss(pid)
    if not km.is_alive():
        problem("the kernel died")
    log(f"{cells} cells answered during the flood; {refused[0]} connections refused; "
        f"RSS MiB before {before}, during {during}, after {after}")
    stop(km, kc)
    return {"rss_mib": {"before": before, "during": during, "after": after}, "refused": refused[0]}


if __name__ == "__main__":
    run(main)
