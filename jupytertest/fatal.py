"""A cell's Go fatal error kills its session, never the kernel.

Through jupyter_client, for the kernel named by GOMP_KERNEL: a cell with real
concurrent map writes (two goroutines writing one map) and a cell recursing
without end each fail with one error whose ename and evalue are the Go
runtime's words, and whose traceback says what survived; no stderr stream is
published. The kernel process is the same afterwards, its heartbeat answers,
kernel_info works, the execution count goes on, and the next cell runs in a
fresh session that has the notebook's functions (a function declared before
is called and prints) while its variables are back at their zero values; a
SIGKILL of the session process between cells is the next cell's error, and
the cell after it calls the functions again; the dead session's children,
shared memory and manager are gone with it. A cell
that ignores SIGINT (signal.Ignore) or resets it (signal.Reset) cannot
disarm the interrupt button. Shutting down leaves no process behind.

Prints {"problems": [...]} for fatal_test.go.
"""

import glob
import os
import signal
import time

import zmq

from common import (TIMEOUT, descendants, execute, kernel_pid, log, parent_of, pid_alive, problem,
                    reply_for, run, start, stop, wait_gone)
from interrupt import wait_started


MAP_WRITES = '''m := map[int]int{}
for g := 0; g < 2; g++ {
	go func() {
		for i := 0; ; i++ {
			m[i%100] = i
		}
	}()
}
select {}'''

RECURSION = '''func deeper(n int) int { return deeper(n+1) + 1 }

deeper(0)'''

LOST = "its variables were reset to their zero values"

KEPT = '''import "fmt"

func kept(who string) { fmt.Println("sigue", who) }'''


def check_kept(kc, what):
    """The functions of the dead session are there; its variables are zero."""
    reply, out = execute(kc, 'kept("aquí")\nlost')
    printed = "".join(o["content"]["text"] for o in out if o["msg_type"] == "stream")
    results = [o["content"]["data"]["text/plain"] for o in out if o["msg_type"] == "execute_result"]
    if reply["status"] != "ok" or printed != "sigue aquí\n" or results != ["0"]:
        problem(f"{what}: calling a function of the dead session and reading its variable: {reply} {out}")


def heartbeat(km):
    """True if the kernel's heartbeat echoes a ping."""
    info = km.get_connection_info()
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.REQ)
    s.setsockopt(zmq.LINGER, 0)
    try:
        s.connect(f"{info['transport']}://{info['ip']}:{info['hb_port']}")
        s.send(b"ping")
        if s.poll(10000):
            return s.recv() == b"ping"
        return False
    finally:
        s.close()


def check_fatal(km, kc, kpid, what, code, ename, evalue, in_traceback):
    reply, out = execute(kc, KEPT + "\n\nlost := 41", timeout=TIMEOUT)
    if reply["status"] != "ok":
        problem(f"{what}: setting a variable: {reply}")
        return
    count_before = reply["execution_count"]
    reply, out = execute(kc, code, timeout=120)
    errors = [o["content"] for o in out if o["msg_type"] == "error"]
    stderr = [o["content"]["text"] for o in out if o["msg_type"] == "stream" and o["content"]["name"] == "stderr"]
    if reply["status"] != "error" or reply.get("ename") != ename or reply.get("evalue") != evalue:
        problem(f"{what}: reply {reply.get('status')} {reply.get('ename')!r}: {reply.get('evalue')!r}, want {ename!r}: {evalue!r}")
    if len(errors) != 1:
        problem(f"{what}: {len(errors)} error outputs, want one: {errors}")
    else:
        tb = "\n".join(errors[0]["traceback"])
        for want in (in_traceback, LOST):
            if want not in tb:
                problem(f"{what}: the traceback does not say {want!r}: {tb!r}")
    if stderr:
        problem(f"{what}: stderr streams published: {stderr}")
    if kernel_pid(km) != kpid or not pid_alive(kpid):
        problem(f"{what}: the kernel process is not the same live one")
    if not heartbeat(km):
        problem(f"{what}: the heartbeat does not answer")
    msg_id = kc.kernel_info()
    info = reply_for(kc, msg_id, timeout=TIMEOUT)["content"]
    if info.get("language_info", {}).get("name") != "go":
        problem(f"{what}: kernel_info after the error: {info}")
    reply, out = execute(kc, "1+1")
    results = [o["content"]["data"]["text/plain"] for o in out if o["msg_type"] == "execute_result"]
    if reply["status"] != "ok" or results != ["2"]:
        problem(f"{what}: the next cell: {reply} {out}")
    elif reply["execution_count"] != count_before + 2:
        problem(f"{what}: execution count {reply['execution_count']} after {count_before}, want {count_before + 2}")
    check_kept(kc, what)
    log(f"{what}: {ename}: {evalue}; the kernel goes on, with its functions")


def check_sigkill(km, kc, kpid):
    """A SIGKILL of the session between cells fails the next cell; the one
    after runs in a new session with the notebook's functions."""
    sessions = [p for p in descendants(kpid) if parent_of(p) == kpid]
    if len(sessions) != 1:
        problem(f"SIGKILL: expected one session below the kernel, found {sessions}")
        return
    os.kill(sessions[0], signal.SIGKILL)
    wait_gone(sessions, 10)
    reply, out = execute(kc, "1+1")
    if reply.get("ename") != "killed by signal 9":
        problem(f"SIGKILL: the next cell: {reply}")
    check_kept(kc, "SIGKILL")
    if kernel_pid(km) != kpid or not pid_alive(kpid):
        problem("SIGKILL: the kernel process is not the same live one")


def check_dead_session_cleaned(km, kc, kpid):
    """The children, shared memory and managers of a dead session go with it."""
    reply, _ = execute(kc, '''import (
	"mp"
	"time"
)

func sleeper() { time.Sleep(time.Hour) }

q := mp.NewQueue()
q.Put(1)
m := mp.NewManager()
m.Dict().Set("a", 1)
p := mp.NewProcess(sleeper)
p.Start()''')
    if reply["status"] != "ok":
        problem(f"starting a child, a queue and a manager: {reply}")
        return
    old = descendants(kpid)
    sessions = [p for p in old if parent_of(p) == kpid]
    if len(old) < 2 or len(sessions) != 1:
        problem(f"expected a session and its child below the kernel, found {old}")
        return
    session = sessions[0]
    mine = lambda: [d for d in glob.glob("/dev/shm/gomp-*") + glob.glob("/tmp/gomp-*") if f"-{session}-" in d]
    if not mine():
        problem(f"no shared memory or manager directory of session {session}")
    reply, _ = execute(kc, MAP_WRITES, timeout=120)
    if reply.get("ename") != "fatal error":
        problem(f"the cell that should kill the session: {reply}")
    left = wait_gone(old, 10)
    if left:
        problem(f"processes of the dead session left: {left}")
    if mine():
        problem(f"directories of the dead session left: {mine()}")


def check_interrupt_not_disarmed(km, kc, how):
    reply, _ = execute(kc, 'import (\n\t"os/signal"\n\t"syscall"\n)\n\n' + how)
    if reply["status"] != "ok":
        problem(f"{how}: {reply}")
        return
    msg_id = kc.execute("for {\n}")
    if not wait_started(kc, msg_id):
        problem(f"{how}: the endless loop never started")
        return
    time.sleep(0.3)
    km.interrupt_kernel()
    try:
        reply = reply_for(kc, msg_id, timeout=15)["content"]
    except TimeoutError:
        problem(f"after {how}, the interrupt did not stop the loop")
        return
    if reply.get("ename") != "Interrupted":
        problem(f"after {how}, the interrupted loop replied {reply}")
    reply, _ = execute(kc, "1+1")
    if reply["status"] != "ok" or not km.is_alive():
        problem(f"after {how} and an interrupt, the kernel does not run cells: {reply}")


def main():
    # The map cells race on purpose: a race-enabled kernel (GOMP_TEST_RACE=1)
    # logs their report with its stderr instead of the reports the Go test
    # fails on.
    km, kc = start(env=dict(os.environ, GORACE="log_path=stderr"))
    kpid = kernel_pid(km)
    check_fatal(km, kc, kpid, "concurrent map writes", MAP_WRITES,
                "fatal error", "concurrent map writes", "fatal error: concurrent map writes")
    check_fatal(km, kc, kpid, "endless recursion", RECURSION,
                "fatal error", "stack overflow", "goroutine stack exceeds")
    check_sigkill(km, kc, kpid)
    check_dead_session_cleaned(km, kc, kpid)
    check_interrupt_not_disarmed(km, kc, "signal.Ignore(syscall.SIGINT)")
    check_interrupt_not_disarmed(km, kc, "signal.Reset()")
    tree = descendants(kpid)
    if not tree:
        problem("no session process below the kernel")
    stop(km, kc)
    left = wait_gone([kpid] + tree, 10)
    if left:
        problem(f"processes left after shutdown: {left}")


run(main)
