"""Restart and shutdown through KernelManager leave no process behind.

Covers restart_kernel, a shutdown_request from the client, shutdown_kernel
while a cell spins, shutdown_kernel(now=True) (SIGKILL), a kernel on the
ipc transport, and a frontend that dies without shutting its kernel down
(the kernel must notice, as ipykernel does through JPY_PARENT_PID, or every
crashed notebook server leaves kernels running). After each, the kernel's pid must be gone (not even a
zombie), and so must every process of its process group: jupyter_client
starts each kernel in a session of its own, so that group holds the kernel
and anything it started.

Prints {"problems": [...]} for lifecycle_test.go.
"""

import os
import signal
import subprocess
import sys
import time

from jupyter_client.manager import KernelManager, _ShutdownStatus

from common import execute, kernel_pid, pid_alive, problem, run, start


def group_members(pgid):
    """Live (non-zombie) processes in process group pgid."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            pids.append(int(entry))
    return pids


def gone(what, pid, wait=5):
    """Check that pid and its process group are gone, waiting up to wait s."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not pid_alive(pid) and not group_members(pid):
            return
        time.sleep(0.05)
    if pid_alive(pid):
        problem(f"{what}: kernel pid {pid} is still alive")
    others = group_members(pid)
    if others:
        problem(f"{what}: processes of the kernel's group {pid} are still alive: {others}")


ORPHAN_FRONTEND = """
import sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name=sys.argv[1])
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=30)
if len(sys.argv) > 2:
    kc.execute(sys.argv[2])  # a cell that is still running when the frontend dies
    time.sleep(1)
print(km.provisioner.pid, flush=True)
time.sleep(3600)
"""

# A cell blocked in a raw system call, where no interrupt reaches it.
STUCK_CELL = 'import "syscall"\n\nvar fds [2]int\nsyscall.Pipe(fds[:])\nsyscall.Read(fds[0], make([]byte, 1))'



def result(kc, code):
    reply, outs = execute(kc, code)
    return reply, [o["content"]["data"].get("text/plain") for o in outs if o["msg_type"] == "execute_result"]


def main():
    # restart_kernel: a new process that does not remember the old state.
    km, kc = start()
    pid1 = kernel_pid(km)
    if os.getpgid(pid1) != pid1:
        problem(f"expected the kernel to lead its own process group (pgid {os.getpgid(pid1)} != {pid1})")
    execute(kc, 'import "time"\n\nx := 41\ngo func() {\n\tfor {\n\t\ttime.Sleep(time.Millisecond)\n\t}\n}()')
    km.restart_kernel(now=False)
    if km._shutdown_status != _ShutdownStatus.ShutdownRequest:
        problem(f"restart: the kernel did not exit on shutdown_request(restart=true) and had to be stopped with {km._shutdown_status.name}")
    gone("restart", pid1)
    pid2 = kernel_pid(km)
    if pid2 == pid1:
        problem("restart: same pid")
    kc.wait_for_ready(timeout=30)
    reply, res = result(kc, "x + 1")
    if reply["status"] != "error":
        problem(f"restart: the new kernel still knows x ({res})")
    reply, res = result(kc, "40 + 2")
    if res != ["42"]:
        problem(f"restart: the new kernel does not answer: {reply} {res}")

    # A shutdown_request from the client: the kernel replies and exits by
    # itself.
    msg_id = kc.shutdown(restart=False)
    try:
        while True:
            reply = kc.get_control_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["msg_type"] != "shutdown_reply" or reply["content"].get("restart") is not False:
            problem(f"shutdown: reply {reply['msg_type']} {reply['content']}")
    except Exception as e:
        problem(f"shutdown: no shutdown_reply ({type(e).__name__})")
    deadline = time.monotonic() + 10
    while km.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if km.is_alive():
        problem("shutdown: the kernel did not exit within 10 s of shutdown_request")
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    gone("shutdown_request", pid2)

    # shutdown_kernel while a cell spins.
    km, kc = start()
    pid = kernel_pid(km)
    kc.execute("for {\n}")
    time.sleep(0.5)
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    if km._shutdown_status != _ShutdownStatus.ShutdownRequest:
        problem(f"shutdown while busy: the kernel ignored shutdown_request and had to be stopped with {km._shutdown_status.name}")
    gone("shutdown while busy", pid)

    # shutdown_kernel(now=True) is SIGKILL: nothing can stay behind.
    km, kc = start()
    pid = kernel_pid(km)
    execute(kc, 'import "time"\n\ngo func() { time.Sleep(time.Hour) }()')
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    gone("kill", pid)

    # The ipc transport.
    km = KernelManager(kernel_name=os.environ.get("GOMP_KERNEL", "gomp"), transport="ipc")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
        reply, res = result(kc, "6 * 7")
        if res != ["42"]:
            problem(f"ipc: 6 * 7 gave {reply} {res}")
    except Exception as e:
        problem(f"ipc: {type(e).__name__}: {e}")
    pid = kernel_pid(km)
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    if km._shutdown_status != _ShutdownStatus.ShutdownRequest:
        problem(f"ipc: the kernel did not exit on shutdown_request ({km._shutdown_status.name})")
    gone("ipc", pid)

    # The frontend is killed: its kernel must exit by itself.
    orphan([], "the frontend was killed (SIGKILL)", wait=10)
    # ...also when its running cell never returns: it waits a while for the
    # cell, then exits anyway.
    orphan([STUCK_CELL], "the frontend was killed (SIGKILL) while a cell was stuck", wait=30)


def orphan(cells, what, wait):
    frontend = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_FRONTEND, os.environ.get("GOMP_KERNEL", "gomp")] + cells,
        stdout=subprocess.PIPE, text=True)
    try:
        pid = int(frontend.stdout.readline())
    except ValueError:
        problem(f"{what}: the frontend did not start a kernel")
        frontend.kill()
        frontend.wait()
        return
    frontend.send_signal(signal.SIGKILL)
    frontend.wait()
    gone(what, pid, wait=wait)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)



if __name__ == "__main__":
    run(main)
