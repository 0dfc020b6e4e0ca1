"""Interrupting the kernel stops a running cell and the kernel goes on.

For the kernel named by GOMP_KERNEL (gomp: interrupt_mode signal, SIGINT to
the kernel's process group; gomp-message: an interrupt_request on control),
cells that spin (for {}), sleep (time.Sleep(time.Hour)) and block on a
channel are interrupted through KernelManager.interrupt_kernel, as the
Notebook's stop button and nbclient's timeout do. Each must end with an
"Interrupted" error, and the next cell must run. An interrupt while idle
must be harmless, and a goroutine an earlier cell left running must survive
the interrupt of a later cell, or the interrupted cell must say it was
stopped.

Prints {"problems": [...], "elapsed": {...}} for interrupt_test.go.
"""

import time

from common import collect, problem, reply_for, run, start, stop


BLOCKERS = {
    "for {}": "for {\n}",
    "time.Sleep(time.Hour)": 'import "time"\n\ntime.Sleep(time.Hour)',
    "<-make(chan int)": "<-make(chan int)",
    "select {}": "select {}",
}

# How long an interrupted cell may take to answer before the test calls it
# stuck. This is a hang detector, not the 1 s requirement: timings are
# reported, not asserted, so a slow machine cannot make the test flaky.
STUCK = 15


def wait_started(kc, msg_id, timeout=30):
    """Wait for the cell's execute_input, i.e. until it runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Exception:
            continue
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
            return True
    return False


def result_of(kc, code):
    msg_id = kc.execute(code)
    outs = collect(kc, msg_id)
    reply = reply_for(kc, msg_id)["content"]
    results = [o["content"]["data"].get("text/plain") for o in outs if o["msg_type"] == "execute_result"]
    return reply, results, outs


def interrupt(km, kc, name, code, elapsed):
    msg_id = kc.execute(code)
    if not wait_started(kc, msg_id):
        problem(f"{name}: the cell never started")
        return []
    time.sleep(0.3)  # let it reach the blocking call
    t0 = time.monotonic()
    km.interrupt_kernel()
    try:
        reply = reply_for(kc, msg_id, timeout=STUCK)["content"]
    except (TimeoutError, Exception) as e:
        problem(f"{name}: no execute_reply within {STUCK}s of the interrupt ({type(e).__name__})")
        return []
    elapsed[name] = round(time.monotonic() - t0, 3)
    outs = collect(kc, msg_id)
    if reply["status"] != "error" or reply.get("ename") != "Interrupted":
        problem(f"{name}: reply {reply.get('status')} {reply.get('ename')}: {reply.get('evalue')}, want error Interrupted")
    errors = [o for o in outs if o["msg_type"] == "error"]
    if len(errors) != 1:
        problem(f"{name}: {len(errors)} error messages on iopub, want 1: {outs}")
    reply, results, _ = result_of(kc, "1 + 1")
    if results != ["2"]:
        problem(f"{name}: after the interrupt, 1 + 1 gave {reply} {results}")
    return outs


def main():
    km, kc = start()
    elapsed = {}

    # Harmless when idle.
    km.interrupt_kernel()
    time.sleep(0.5)
    if not km.is_alive():
        problem("an interrupt while idle killed the kernel")
        return
    reply, results, _ = result_of(kc, "1 + 1")
    if results != ["2"]:
        problem(f"after an interrupt while idle, 1 + 1 gave {reply} {results}")

    # A goroutine from an earlier cell, to see whether it survives.
    result_of(kc, 'import (\n\t"sync/atomic"\n\t"time"\n)\n\nvar ticks int64\n\n'
                  'go func() {\n\tfor {\n\t\tatomic.AddInt64(&ticks, 1)\n\t\ttime.Sleep(5 * time.Millisecond)\n\t}\n}()')

    for name, code in BLOCKERS.items():
        outs = interrupt(km, kc, name, code, elapsed)
        if name == "for {}":
            _, before, _ = result_of(kc, "atomic.LoadInt64(&ticks)")
            time.sleep(0.3)
            _, after, _ = result_of(kc, "atomic.LoadInt64(&ticks)")
            said = any("goroutine" in str(o["content"]).lower() for o in outs)
            if before == after and not said:
                problem(f"interrupting a cell silently stopped a goroutine of an earlier cell (ticks {before} -> {after})")

    # Several interrupts in a row, and one right after a cell starts.
    for i in range(3):
        interrupt(km, kc, f"for {{}} again ({i + 1})", "for {\n}", elapsed)

    if not km.is_alive():
        problem("the kernel died")
    stop(km, kc)
    return {"elapsed": elapsed}


if __name__ == "__main__":
    run(main)
