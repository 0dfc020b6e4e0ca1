"""The kernel's own output stays its own, and SIGTERM is a clean exit.

- After a cell closes fd 2 (syscall.Close(2)), which it does in the session
  process, the kernel's fd 2 is still the stderr Jupyter gave it, and a log
  line the kernel writes goes there, never to the peer of the next
  connection it accepts.
- 10,000 unsigned messages give a few log lines and a count, not 10,000.
- SIGTERM ends the kernel with exit status 0 and no error.

Prints {"problems": [...]} for hardening_test.go.
"""

import os
import signal
import socket
import tempfile
import time

import zmq

from jupyter_client.manager import KernelManager

from common import KERNEL, TIMEOUT, _running, execute, log, problem, run


def wait_for(path, text, timeout=10):
    """Wait until the file at path contains text; return its content."""
    deadline = time.monotonic() + timeout
    while True:
        with open(path, errors="replace") as f:
            data = f.read()
        if text in data or time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def main():
    errfile = tempfile.NamedTemporaryFile("w+", prefix="gomp-stderr-", delete=False)
    try:
        check(errfile.name, errfile)
    finally:
        errfile.close()
        os.unlink(errfile.name)


def check(errpath, errfile):
    km = KernelManager(kernel_name=KERNEL)
    km.start_kernel(stderr=errfile)
    kc = km.client()
    kc.start_channels()
    _running.append((km, kc))
    kc.wait_for_ready(timeout=TIMEOUT)
    pid = km.provisioner.pid
    info = km.get_connection_info()
    host, port = info["ip"], info["shell_port"]

    reply, _ = execute(kc, 'import "syscall"\nsyscall.Close(2)')
    if reply.get("status") != "ok":
        problem(f"syscall.Close(2) failed: {reply}")

    # The first connection accepted now gets fd 2.
    peer = socket.create_connection((host, port), timeout=5)
    greeting = b""
    while len(greeting) < 64:
        chunk = peer.recv(64 - len(greeting))
        if not chunk:
            break
        greeting += chunk
    fd2 = os.readlink(f"/proc/{pid}/fd/2") if os.path.exists(f"/proc/{pid}/fd/2") else "closed"
    # Cells run in the session process, so a cell's Close(2) cannot reach the
    # kernel's own fd 2; if it did, the peer would have got it.
    if fd2.startswith("socket:"):
        problem(f"a cell's syscall.Close(2) reached the kernel process: its fd 2 is {fd2}")

    # A connection that fails its handshake makes the kernel log a line.
    with socket.create_connection((host, port), timeout=5) as junk:
        junk.sendall(b"GET / HTTP/1.1\r\n" + b"x" * 64)
        time.sleep(0.1)
    logged = wait_for(errpath, "not a ZMTP 3 greeting")
    if "not a ZMTP 3 greeting" not in logged:
        problem("the failed handshake was not logged to the kernel's stderr")
    peer.settimeout(0.5)
    leaked = b""
    try:
        while True:
            chunk = peer.recv(65536)
            if not chunk:
                break
            leaked += chunk
    except socket.timeout:
        pass
    if leaked:
        problem(f"after syscall.Close(2), a peer got {len(leaked)} more bytes: {leaked[:200]!r}")
    peer.close()

    # Garbage: unsigned messages, each dropped and logged.
    ctx = zmq.Context.instance()
    dealer = ctx.socket(zmq.DEALER)
    dealer.linger = 0
    dealer.connect(f"tcp://{host}:{port}")
    for _ in range(10000):
        dealer.send_multipart([b"<IDS|MSG>", b"0" * 64, b"{}", b"{}", b"{}", b"{}"])
    time.sleep(0.5)
    reply, _ = execute(kc, "1")
    if reply.get("status") != "ok":
        problem(f"after 10,000 garbage messages a cell gave {reply}")
    dealer.close()
    logged = wait_for(errpath, "dropped a message")
    dropped = logged.count("dropped a message")
    log(f"{dropped} log lines about dropped messages")
    if dropped == 0 or dropped > 100:
        problem(f"10,000 garbage messages gave {dropped} log lines about dropped messages")

    # SIGTERM: a clean stop, exit status 0.
    os.kill(pid, signal.SIGTERM)
    try:
        code = km.provisioner.process.wait(timeout=30)
    except Exception as e:
        problem(f"the kernel did not exit after SIGTERM: {e!r}")
        return
    logged = wait_for(errpath, "stopped:")
    if code != 0:
        problem(f"SIGTERM: exit status {code}; stderr tail: {logged[-500:]!r}")
    if "context canceled" in logged:
        problem(f"SIGTERM logged an error: {logged[-500:]!r}")
    if "similar log lines suppressed" not in logged:
        problem("the log never said how many lines it suppressed")
    kc.stop_channels()
    _running.remove((km, kc))
    km.cleanup_resources()


if __name__ == "__main__":
    run(main)
