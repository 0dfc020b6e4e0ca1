"""Helpers shared by the Python scripts the jupytertest Go tests run.

Each script talks to a gomp kernel through jupyter_client, the library every
Jupyter frontend uses, prints one JSON object on stdout for the Go test to
check, and logs to stderr. The Go test sets JUPYTER_PATH so that the kernel
names below resolve to the gomp binary it built.
"""

import json
import os
import sys
import time
import traceback
from queue import Empty

from jupyter_client.manager import KernelManager

KERNEL = os.environ.get("GOMP_KERNEL", "gomp")
TIMEOUT = 30


def log(*args):
    print(*args, file=sys.stderr, flush=True)


problems = []  # what the script found wrong, for the Go test
_running = []  # kernels started and not yet stopped


def problem(text):
    """Record something wrong with the kernel, and go on."""
    log("PROBLEM:", text)
    problems.append(text)


def emit(result):
    """Print the script's result for the Go test."""
    json.dump(result, sys.stdout, indent=1, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()


def run(main):
    """Run main(), then print {"problems": [...], **whatever main returned}.

    An exception in main (a reply that never came, say) is a problem too, and
    every kernel still running is stopped, so a failing script never leaves
    a kernel behind.
    """
    extra = {}
    try:
        extra = main() or {}
    except Exception:
        problem("the script stopped: " + traceback.format_exc())
    finally:
        for km, kc in list(_running):
            try:
                stop(km, kc, now=True)
            except Exception:
                log("stopping a kernel:", traceback.format_exc())
    emit({"problems": problems, **extra})


def start(kernel_name=KERNEL, env=None, **kw):
    """Start a kernel (with env as its environment, if given) and a client
    whose channels are ready."""
    km = KernelManager(kernel_name=kernel_name, **kw)
    if env is None:
        km.start_kernel()
    else:
        km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    _running.append((km, kc))
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc


def stop(km, kc, now=False):
    """Stop the client's channels and shut the kernel down."""
    if (km, kc) in _running:
        _running.remove((km, kc))
    kc.stop_channels()
    km.shutdown_kernel(now=now)


def kernel_pid(km):
    return km.provisioner.pid


def pid_alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def collect(kc, msg_id, timeout=TIMEOUT, stdin_hook=None):
    """Read iopub until the kernel goes idle for msg_id.

    Returns the messages between busy and idle (status messages excluded).
    stdin_hook, if given, is called with each input_request on the stdin
    channel while waiting.
    """
    deadline = time.monotonic() + timeout
    out = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no idle status for {msg_id} within {timeout}s; got {out}")
        if stdin_hook is not None:
            try:
                req = kc.get_stdin_msg(timeout=0.01)
            except Empty:
                pass
            else:
                stdin_hook(req)
        try:
            msg = kc.get_iopub_msg(timeout=min(left, 0.05))
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                return out
            continue
        out.append(msg)


def reply_for(kc, msg_id, timeout=TIMEOUT, get=None):
    """The shell reply (or get's message) to msg_id; other replies are skipped."""
    get = get or kc.get_shell_msg
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no reply to {msg_id} within {timeout}s")
        msg = get(timeout=left)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def execute(kc, code, timeout=TIMEOUT, allow_stdin=False, stdin_hook=None, **kw):
    """Run code; return (reply content, iopub messages) in plain form."""
    msg_id = kc.execute(code, allow_stdin=allow_stdin, **kw)
    msgs = collect(kc, msg_id, timeout=timeout, stdin_hook=stdin_hook)
    reply = reply_for(kc, msg_id, timeout=timeout)
    return reply["content"], [summary(m) for m in msgs]


def summary(msg):
    """The parts of an iopub message a test looks at."""
    return {"msg_type": msg["msg_type"], "content": msg["content"]}


def text_of(outputs, name="stdout"):
    """All stream text of one stream name."""
    return "".join(
        o["content"]["text"]
        for o in outputs
        if o["msg_type"] == "stream" and o["content"]["name"] == name
    )


def wait_gone(pids, seconds=10):
    """Wait until none of pids is alive (zombies count as gone only once reaped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if os.path.exists(f"/proc/{p}")]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if os.path.exists(f"/proc/{p}")]


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None


def descendants(pid):
    """Every process below pid, from /proc."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out
