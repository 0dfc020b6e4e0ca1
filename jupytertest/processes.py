"""mp's processes seen through a real Jupyter client (processes_test.go).

Checks what DESIGN.md promises of child processes: their output reaches the
notebook under the cell that started them (also after it ended), their pids
and parent pids, interrupts stopping the interrupted cell's children only,
and no child, grandchild or zombie left after a shutdown, a restart, or a
SIGKILL of the kernel.
"""

import os
import re
import signal
import time
from queue import Empty

from common import (TIMEOUT, descendants, execute, kernel_pid, log, parent_of, pid_alive, problem,
                    reply_for, run, start, stop, text_of, wait_gone)


def ok(reply, what):
    if reply["status"] != "ok":
        problem(f"{what}: {reply.get('ename')}: {reply.get('evalue')}")
        return False
    return True


SETUP = '''import (
	"fmt"
	"mp"
	"os"
	"time"
)

func report(n int) {
	fmt.Printf("child %d pid %d ppid %d\\n", n, os.Getpid(), os.Getppid())
}

func sleeper(d time.Duration) {
	fmt.Println("sleeper", os.Getpid())
	time.Sleep(d)
	fmt.Println("sleeper woke", os.Getpid())
}

func nested() {
	inner := mp.NewProcess(sleeper, time.Hour)
	inner.Start()
	fmt.Println("grandchild", inner.Pid())
	inner.Join()
}
'''


def check_output_and_pids(kc, kpid):
    reply, out = execute(kc, '''var ps []*mp.Process
for i := range 3 {
	p := mp.NewProcess(report, i)
	ps = append(ps, p)
	p.Start()
}
for _, p := range ps {
	p.Join()
}''')
    if not ok(reply, "three children"):
        return
    lines = re.findall(r"child (\d) pid (\d+) ppid (\d+)", text_of(out))
    if sorted(n for n, _, _ in lines) != ["0", "1", "2"]:
        problem(f"children's lines: {text_of(out)!r}")
    pids = {pid for _, pid, _ in lines}
    if len(pids) != 3 or str(kpid) in pids:
        problem(f"child pids not distinct from each other and the kernel: {pids}")
    # Cells run in the kernel's session process, which starts the children.
    sessions = {str(p) for p in descendants(kpid) if parent_of(p) == kpid}
    if len(sessions) != 1 or any(ppid not in sessions for _, _, ppid in lines):
        problem(f"children's ppid is not the kernel's session process {sessions} (kernel {kpid}): {lines}")


def check_late_output(kc):
    """A child's output after its cell ended is still that cell's."""
    msg_id = kc.execute('''late := mp.NewProcess(sleeper, 300*time.Millisecond)
late.Start()''')
    reply = reply_for(kc, msg_id)
    if not ok(reply["content"], "starting a child without joining it"):
        return
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except Empty:
            continue
        if msg["msg_type"] == "stream" and "sleeper woke" in msg["content"]["text"]:
            if msg["parent_header"].get("msg_id") != msg_id:
                problem("a child's late output is not attributed to the cell that started it")
            return
    problem("a child's output after its cell ended never arrived")


def check_interrupt(km, kc, kpid):
    """Interrupting a cell stops its children, not an earlier cell's."""
    reply, out = execute(kc, '''keep := &mp.Process{Target: sleeper, Args: []any{time.Hour}, Daemon: true}
keep.Start()
fmt.Println("kept", keep.Pid())''')
    if not ok(reply, "starting a daemon"):
        return
    kept = int(re.search(r"kept (\d+)", text_of(out)).group(1))
    msg_id = kc.execute('''victim := mp.NewProcess(sleeper, time.Hour)
victim.Start()
fmt.Println("victim", victim.Pid())
victim.Join()''')
    victim = None
    deadline = time.monotonic() + TIMEOUT
    while victim is None and time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except Empty:
            continue
        if msg["msg_type"] == "stream":
            m = re.search(r"victim (\d+)", msg["content"]["text"])
            if m:
                victim = int(m.group(1))
    if victim is None:
        problem("the interrupted cell's child never reported its pid")
        return
    km.interrupt_kernel()
    reply = reply_for(kc, msg_id)["content"]
    if reply["status"] != "error" or reply["ename"] != "Interrupted":
        problem(f"interrupting a Join: {reply}")
    if wait_gone([victim], 5):
        problem("the interrupted cell's child is still running")
    if not pid_alive(kept):
        problem("interrupting a cell stopped a child of an earlier cell")
    reply, out = execute(kc, 'fmt.Println("after", keep.IsAlive())')
    if ok(reply, "the cell after the interrupt") and "after true" not in text_of(out):
        problem(f"after the interrupt: {text_of(out)!r}")


def check_exit_leaves_nothing(how):
    km, kc = start()
    kpid = kernel_pid(km)
    reply, out = execute(kc, SETUP + '''
n := mp.NewProcess(nested)
n.Start()
d := &mp.Process{Target: sleeper, Args: []any{time.Hour}, Daemon: true}
d.Start()
time.Sleep(300 * time.Millisecond)''')
    if not ok(reply, f"{how}: starting children"):
        stop(km, kc, now=True)
        return
    tree = descendants(kpid)
    if len(tree) < 3:
        problem(f"{how}: expected a child, a grandchild and a daemon below the kernel, found {tree}")
    if how == "shutdown":
        stop(km, kc)
    elif how == "restart":
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=TIMEOUT)
        stop(km, kc)
    else:  # SIGKILL
        os.kill(kpid, signal.SIGKILL)
        stop(km, kc, now=True)
    left = wait_gone(tree, 10)
    if left:
        problem(f"{how}: processes left behind: {left}")
    else:
        log(f"{how}: {len(tree)} processes below the kernel, none left")


def main():
    km, kc = start()
    kpid = kernel_pid(km)
    reply, _ = execute(kc, SETUP)
    if ok(reply, "setup"):
        check_output_and_pids(kc, kpid)
        check_late_output(kc)
        check_interrupt(km, kc, kpid)
    tree = descendants(kpid)
    stop(km, kc)
    if wait_gone(tree, 10):
        problem("processes left after the first kernel's shutdown")
    for how in ("shutdown", "restart", "SIGKILL"):
        check_exit_leaves_nothing(how)


run(main)
