#!/usr/bin/python3
"""A classroom on one server: N students on a real JupyterHub, each running
lesson 01 at the same time, with gomp and, in the same run, with ipykernel
and the Python seed's code (the anchor).

    /usr/bin/python3 bench/hub.py --students 30 --out bench/out/hub.md

Debian's packages: jupyterhub, node-configurable-http-proxy, jupyter-server,
python3-ipykernel. The script builds gomp and registers it with `gomp
install --prefix TMP` (what `install.sh --prefix /usr/local` does on a hub,
in a temporary prefix so that the machine's Jupyter is left alone), starts a
hub on loopback (DummyAuthenticator, SimpleLocalProcessSpawner: no real users
needed; servers are Debian's jupyter-server through jupyterhub-singleuser),
and for each kernel:

  1. one student runs the lesson alone: the reference every student's
     output is compared with;
  2. N students are made through the hub's REST API, each gets a token,
     starts a server and a kernel, and runs the lesson over the websocket
     through the hub's proxy, all at the same time.

It reports students served, time to the first cell's output (median, p95),
each student's kernel tree's peak memory (PSS and USS, summed over the
kernel and its children, sampled every 0.5 s), their servers' memory, and
failures: a cell whose lines (numbers masked, sorted, process tables left
out) differ from the reference's, output under the wrong request, or a
student seeing another's output. It is a benchmark, not a test: it asserts
nothing and takes minutes.
"""

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LESSON = os.path.join(ROOT, "notebooks", "01-procesos.ipynb")

# The Python seed's lesson 01 (shared/seeds, "Multiprocessing"), cell by
# cell, with the Go lesson's timings (the seed sleeps 5 and 10 s where the
# Go lesson sleeps 2 and 4) and its fallbacks where no keyboard answers
# input(): the same program a student runs, headless.
PYTHON_CELLS = [
    'import subprocess\n'
    'for linea in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():\n'
    '    if linea.startswith(("CPU(s):", "Core(s) per socket:", "Model name:")):\n'
    '        print(linea)',
    'for linea in subprocess.run(["top", "-b", "-n", "1"], capture_output=True, text=True).stdout.splitlines()[:5]:\n'
    '    print(linea)',
    'import multiprocessing\n\n'
    'def worker(num):\n'
    '    print(f"Worker: {num}")\n\n'
    'processes = []\n'
    'for i in range(5):\n'
    '    p = multiprocessing.Process(target=worker, args=(i,))\n'
    '    processes.append(p)\n'
    '    p.start()\n'
    'for p in processes:\n'
    '    p.join()\n'
    'print("Procesamiento completado.")',
    'from multiprocessing import Process, Pipe\n'
    'import os, time\n\n'
    'def arbol(pid):\n'
    '    print(subprocess.run(["ps", "--forest", "-o", "pid,ppid,stat,args", "--pid", str(pid), "--ppid", str(pid)],\n'
    '                         capture_output=True, text=True).stdout, end="")\n\n'
    'def pausa(mensaje):\n'
    '    print(mensaje, end="")\n'
    '    try:\n'
    '        input()\n'
    '    except Exception:\n'
    '        print("(sin teclado: seguimos)")\n\n'
    'def child1():\n'
    '    print("Child 1: %d, parent: %d" % (os.getpid(), os.getppid()))\n'
    '    print("esperando...")\n'
    '    time.sleep(2)\n'
    '    arbol(os.getppid())\n'
    '    print("hijo muriendo...")',
    'print("Parent ID", os.getpid())\n'
    'p1 = Process(target=child1)\n'
    'pausa("seguimos... ")\n'
    'print("========================================================")\n'
    'print("Parent ID", os.getpid())\n'
    'p1.start()\n'
    'for i in range(4):\n'
    '    print("Padre esperando a que el hijo muera...")\n'
    '    time.sleep(1)\n'
    'print("PS del padre (hijo muerto) -------------------------")\n'
    'arbol(os.getpid())\n'
    'print("Padre espera al hijo con Join (símil de wait)")\n'
    'p1.join()\n'
    'print(">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>")\n'
    'arbol(os.getpid())\n'
    'print("We\'re done")',
    'def child1b():\n'
    '    print("Child 1", os.getpid())\n\n'
    'def child2():\n'
    '    print("Child 2", os.getpid())\n'
    '    print("hijo trabajando....")\n'
    '    time.sleep(2)\n\n'
    'print("Parent ID", os.getpid())\n'
    'pa = Process(target=child1b)\n'
    'pb = Process(target=child2)\n'
    'pa.start()\n'
    'pb.start()\n'
    'print("PID p1: %d" % pa.pid)\n'
    'print("PID p2: %d" % pb.pid)\n'
    'pa.join()\n'
    'print("Is p1 alive?", "Yes" if pa.is_alive() else "No")\n'
    'time.sleep(1)\n'
    'print("Is p2 alive?", "Yes" if pb.is_alive() else "No")\n'
    'pb.join()\n'
    'print("We\'re done")',
    'def f(conn):\n'
    '    while True:\n'
    '        msg = conn.recv()\n'
    '        if msg == "end":\n'
    '            break\n'
    '        print("H: " + msg.upper())\n'
    '    conn.close()\n\n'
    'parent_conn, child_conn = Pipe()\n'
    'p = Process(target=f, args=(child_conn,))\n'
    'p.start()\n'
    'ejemplo = ["hola", "desde el padre", "end"]\n'
    'while True:\n'
    '    print("mensaje (end para terminar): ", end="")\n'
    '    try:\n'
    '        msg = input()\n'
    '    except Exception:\n'
    '        msg, ejemplo = ejemplo[0], ejemplo[1:]\n'
    '        print(msg)\n'
    '    parent_conn.send(msg)\n'
    '    if msg == "end":\n'
    '        break\n'
    '    time.sleep(0.1)\n'
    'p.join()',
    'def f2(child_conn):\n'
    '    child_conn.send([42, None, "hello"])\n'
    '    print("H: Hijo recibiendo: " + child_conn.recv())\n'
    '    child_conn.send("hola mundo")\n'
    '    print("H: " + child_conn.recv())\n'
    '    child_conn.close()\n\n'
    'parent_conn2, child_conn2 = Pipe()\n'
    'p2 = Process(target=f2, args=(child_conn2,))\n'
    'p2.start()\n'
    'print("P: " + str(parent_conn2.recv()))\n'
    'parent_conn2.send("enviando desde el padre...")\n'
    'for i in range(5):\n'
    '    print("Padre haciendo cosas de padre...")\n'
    '    time.sleep(0.3)\n'
    'print("P: " + parent_conn2.recv())\n'
    'parent_conn2.send("hola")\n'
    'p2.join()',
]

# The first cell of every student's run names the student: a student who
# sees another's name has cross-talk.
PROBE = {
    "gomp": 'import (\n\t"fmt"\n\t"os"\n)\n\nfmt.Println("alumno", "{name}", os.Getpid())',
    "ipykernel": 'import os\nprint("alumno", "{name}", os.getpid())',
}


def lesson_cells(kernel):
    if kernel == "ipykernel":
        return list(PYTHON_CELLS)
    with open(LESSON) as f:
        nb = json.load(f)
    cells = []
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] == "code" and src.strip():
            cells.append(src)
    return cells


def masked(text):
    """The lines a run must reproduce: numbers #, paths /…, spaces one;
    rows of process tables (ps, top) left out, as jupytertest's lab test."""
    out = []
    for line in text.split("\n"):
        line = re.sub(r"/\S*", "/…", line)
        line = re.sub(r"\d+(\.\d+)?", "#", line)
        line = re.sub(r"\s+", " ", line).strip()
        if line and not line.startswith("#") and not line.startswith("PID PPID"):
            out.append(line)
    return sorted(out)


PS_ROW = re.compile(r"^\s*(\d+\s+\d+\s+\S+\s|PID\s+PPID)")


def chars(text):
    """What the text holds, whatever the line breaks: its characters but
    digits, spaces and paths, sorted (two processes' lines run together
    hold the same); rows of ps tables left out."""
    kept = "".join(l for l in text.split("\n") if not PS_ROW.match(l))
    return sorted(re.sub(r"\d|\s", "", re.sub(r"/\S*", "/", kept)))


def starts_children(src):
    return bool(re.search(r"\.Start\(\)|mp\.NewPool|\.start\(\)", src))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- memory ---------------------------------------------------------------


def proc_table():
    """pid → (ppid, cmdline) of every live process."""
    table = {}
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            with open(f"/proc/{e}/stat") as f:
                stat = f.read()
            with open(f"/proc/{e}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        if rest[0] == "Z":
            continue
        table[int(e)] = (int(rest[1]), cmd)
    return table


def tree(table, pid):
    kids = {}
    for p, (pp, _) in table.items():
        kids.setdefault(pp, []).append(p)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def pss_uss(pid):
    """PSS and USS of one process, in bytes (smaps_rollup)."""
    pss = uss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k == "Pss":
                    pss = int(v.split()[0]) * 1024
                elif k in ("Private_Clean", "Private_Dirty"):
                    uss += int(v.split()[0]) * 1024
    except OSError:
        pass
    return pss, uss


class Sampler:
    """Samples, every interval, the memory of each student's kernel tree
    (the kernel found by its kernel id in its command line) and of its
    server (the kernel's parent); keeps each one's peak."""

    def __init__(self, interval=0.5):
        self.interval = interval
        self.kernels = {}  # student → kernel id
        self.peak = {}  # student → {"pss", "uss", "procs", "server_pss"}
        self.stopped = False

    async def run(self):
        while not self.stopped:
            self.sample()
            await asyncio.sleep(self.interval)

    def sample(self):
        if not self.kernels:
            return
        table = proc_table()
        by_kid = {}
        for pid, (_, cmd) in table.items():
            m = re.search(r"kernel-([0-9a-f-]{36})\.json", cmd)
            if m:
                by_kid.setdefault(m.group(1), []).append(pid)
        for student, kid in list(self.kernels.items()):
            roots = [p for p in by_kid.get(kid, []) if table[p][0] not in by_kid.get(kid, [])]
            if not roots:
                continue
            root = roots[0]
            pss = uss = 0
            procs = tree(table, root)
            for p in procs:
                a, b = pss_uss(p)
                pss, uss = pss + a, uss + b
            server_pss = pss_uss(table[root][0])[0]
            peak = self.peak.setdefault(student, {"pss": 0, "uss": 0, "procs": 0, "server_pss": 0})
            peak["pss"] = max(peak["pss"], pss)
            peak["uss"] = max(peak["uss"], uss)
            peak["procs"] = max(peak["procs"], len(procs))
            peak["server_pss"] = max(peak["server_pss"], server_pss)


# --- the hub --------------------------------------------------------------


class Hub:
    def __init__(self, tmp, jupyter_path):
        self.tmp = tmp
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.hub_port = free_port()
        self.api_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.url}/hub/api"
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        config = os.path.join(tmp, "jupyterhub_config.py")
        singleuser_args = ["--allow-root"] if os.geteuid() == 0 else []
        env = {
            "JUPYTER_PATH": jupyter_path,
            "JUPYTERHUB_SINGLEUSER_APP": "jupyter_server.serverapp.ServerApp",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        with open(config, "w") as f:
            f.write(f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {self.hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
c.ConfigurableHTTPProxy.command = ["/usr/bin/configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = {os.path.join(tmp, "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///" + {os.path.join(tmp, "hub.sqlite")!r}
c.JupyterHub.cookie_secret_file = {os.path.join(tmp, "cookie_secret")!r}
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = {home!r} + "/{{username}}"
c.Spawner.cmd = ["/usr/bin/jupyterhub-singleuser"]
c.Spawner.args = {singleuser_args!r}
c.Spawner.environment = {env!r}
c.Spawner.start_timeout = 600
c.Spawner.http_timeout = 600
c.JupyterHub.concurrent_spawn_limit = 0
c.JupyterHub.services = [{{"name": "bench", "api_token": {self.token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "bench",
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "read:users"],
    "services": ["bench"],
}}]
""")
        self.log = open(os.path.join(tmp, "hub.log"), "w")
        # Debian's proxy finds its modules (commander, http-proxy...) in
        # /usr/share/nodejs, which a node from elsewhere does not search.
        hub_env = dict(os.environ, NODE_PATH="/usr/share/nodejs")
        self.proc = subprocess.Popen(
            ["/usr/bin/jupyterhub", "-f", config], cwd=tmp, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True, env=hub_env)

    async def ready(self, http):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.proc.returncode}); see {self.log.name}")
            try:
                r = await http.fetch(f"{self.api}/", raise_error=False)
                if r.code == 200:
                    return
            except OSError:
                pass
            await asyncio.sleep(0.5)
        raise RuntimeError("the hub did not answer within 120 s")

    async def call(self, http, method, path, body=None, token=None, timeout=600):
        headers = {"Authorization": f"token {token or self.token}"}
        req = HTTPRequest(f"{self.api}{path}", method=method, headers=headers,
                          body=json.dumps(body) if body is not None else (b"" if method in ("POST", "PUT") else None),
                          request_timeout=timeout, allow_nonstandard_methods=True)
        r = await http.fetch(req, raise_error=False)
        if r.code >= 400:
            raise RuntimeError(f"{method} {path}: {r.code} {r.body[:300]!r}")
        return json.loads(r.body) if r.body else None

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # The proxy and the servers run in sessions of their own.
        for pid, (_, cmd) in proc_table().items():
            if self.tmp in cmd or "configurable-http-proxy" in cmd and str(self.api_port) in cmd:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


# --- a student ------------------------------------------------------------


def message(session, msg_type, content):
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "alumno", "session": session,
                   "msg_type": msg_type, "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": [],
    }


async def student(hub, http, sampler, kernel, name, cells):
    """One student: user, token, server, kernel, the lesson; returns what
    happened."""
    res = {"name": name, "problems": [], "mangled": [], "cells": []}
    t0 = time.monotonic()
    await hub.call(http, "POST", f"/users/{name}")
    token = (await hub.call(http, "POST", f"/users/{name}/tokens", {"note": "bench"}))["token"]
    await hub.call(http, "POST", f"/users/{name}/server")
    while True:
        u = await hub.call(http, "GET", f"/users/{name}")
        server = (u.get("servers") or {}).get("")
        if server and server.get("ready"):
            break
        if not u.get("pending") and not server:
            raise RuntimeError(f"{name}: the server did not start")
        await asyncio.sleep(0.25)
    res["spawn"] = time.monotonic() - t0
    base = f"{hub.url}/user/{name}"
    headers = {"Authorization": f"token {token}"}
    t1 = time.monotonic()
    r = await http.fetch(HTTPRequest(f"{base}/api/kernels", method="POST", headers=headers,
                                     body=json.dumps({"name": kernel}), request_timeout=600))
    kid = json.loads(r.body)["id"]
    sampler.kernels[name] = kid
    ws = await websocket_connect(HTTPRequest(
        f"{base.replace('http', 'ws', 1)}/api/kernels/{kid}/channels?token={token}", headers=headers,
        request_timeout=600))
    session = uuid.uuid4().hex
    mine = set()
    try:
        for i, code in enumerate([PROBE[kernel].replace("{name}", name)] + cells):
            msg = message(session, "execute_request", {
                "code": code, "silent": False, "store_history": True, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": False})
            mid = msg["header"]["msg_id"]
            mine.add(mid)
            sent = time.monotonic()
            await ws.write_message(json.dumps(msg))
            out, errors, replied, idle, first = [], [], False, False, None
            while not (replied and idle):
                raw = await asyncio.wait_for(ws.read_message(), 300)
                if raw is None:
                    raise RuntimeError("the websocket closed")
                m = json.loads(raw)
                parent = (m.get("parent_header") or {}).get("msg_id")
                t = m["header"]["msg_type"]
                if parent not in mine:
                    if t not in ("status",):
                        res["problems"].append(f"a {t} for a request that is not this student's")
                    continue
                if parent != mid:
                    if t != "status":
                        res["problems"].append(f"cell {i}: a {t} of an earlier cell arrived late")
                    continue
                if t == "stream":
                    first = first or time.monotonic()
                    out.append(m["content"]["text"])
                elif t == "error":
                    errors.append(f'{m["content"]["ename"]}: {m["content"]["evalue"]}'[:200])
                elif t == "execute_reply":
                    replied = True
                elif t == "status" and m["content"]["execution_state"] == "idle":
                    idle = True
            text = "".join(out)
            if i == 0:
                res["first_output"] = (first or time.monotonic()) - t1
                if f"alumno {name} " not in text:
                    res["problems"].append(f"the probe printed {text!r}")
            res["cells"].append({"text": text, "errors": errors, "time": time.monotonic() - sent})
    finally:
        ws.close()
        sampler.sample()
        sampler.kernels.pop(name, None)
    res["lesson"] = time.monotonic() - t1
    return res


def check(res, reference, cells, names):
    """Compare a student's cells with the reference run's."""
    for i, (got, want) in enumerate(zip(res["cells"][1:], reference["cells"][1:])):
        src = cells[i]
        where = f"cell {i + 1} ({src.splitlines()[0][:40]})"
        if got["errors"]:
            res["problems"].append(f"{where}: {got['errors']}")
        if starts_children(src):
            if chars(got["text"]) != chars(want["text"]):
                res["problems"].append(f"{where}: output differs from the reference's: "
                                       f"{masked(got['text'])} vs {masked(want['text'])}")
            elif masked(got["text"]) != masked(want["text"]):
                # All there, but lines of different processes run together.
                res["mangled"].append(f"{where}: {masked(got['text'])} vs {masked(want['text'])}")
        elif bool(got["text"].strip()) != bool(want["text"].strip()):
            res["problems"].append(f"{where}: printed {got['text'][:80]!r}, the reference {want['text'][:80]!r}")
    text = "".join(c["text"] for c in res["cells"])
    for other in names:
        if other != res["name"] and f"alumno {other} " in text:
            res["problems"].append(f"saw the output of {other}")


async def run_kernel(hub, http, kernel, n):
    cells = lesson_cells(kernel)
    sampler = Sampler()
    task = asyncio.ensure_future(sampler.run())
    try:
        ref = await student(hub, http, sampler, kernel, f"{kernel}-ref", cells)
        await hub.call(http, "DELETE", f"/users/{kernel}-ref/server")
        names = [f"{kernel}-{i:02d}" for i in range(n)]
        t0 = time.monotonic()
        results = await asyncio.gather(*(student(hub, http, sampler, kernel, nm, cells) for nm in names),
                                       return_exceptions=True)
        wall = time.monotonic() - t0
    finally:
        sampler.stopped = True
        await task
    served = []
    failures = []
    for nm, r in zip(names, results):
        if isinstance(r, BaseException):
            failures.append(f"{nm}: {type(r).__name__}: {r}")
            continue
        check(r, ref, cells, names)
        r["memory"] = sampler.peak.get(nm)
        served.append(r)
        failures.extend(f"{nm}: {p}" for p in r["problems"])
    await asyncio.gather(*(hub.call(http, "DELETE", f"/users/{nm}/server") for nm in names),
                         return_exceptions=True)
    return {"kernel": kernel, "served": served, "failures": failures, "wall": wall, "n": n,
            "ref_memory": sampler.peak.get(f"{kernel}-ref")}


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))
    return xs[k]


def mib(b):
    return b / (1 << 20)


def report(runs, info):
    lines = [f"{info}", "",
             "| measure | gomp | ipykernel | gomp / ipykernel |", "| --- | ---: | ---: | ---: |"]
    g, p = runs["gomp"], runs["ipykernel"]

    def row(label, fn, unit, fmt="{:.2f}"):
        a, b = fn(g), fn(p)
        ratio = a / b if b else float("nan")
        lines.append(f"| {label} | {fmt.format(a)} {unit} | {fmt.format(b)} {unit} | {ratio:.3f} |")

    def vals(r, key):
        return [s[key] for s in r["served"] if key in s]

    def mem(r, key):
        return [s["memory"][key] for s in r["served"] if s.get("memory")]

    def complete(r):
        return sum(1 for s in r["served"] if not s["problems"])

    def intact(r):
        return sum(1 for s in r["served"] if not s["problems"] and not s["mangled"])

    lines.append(f"| students served, output complete and under their own cells | {complete(g)}/{g['n']} | {complete(p)}/{p['n']} | |")
    lines.append(f"| ... and every line intact (no two processes' lines run together) | {intact(g)}/{g['n']} | {intact(p)}/{p['n']} | |")
    row("server spawn (median)", lambda r: statistics.median(vals(r, "spawn")), "s")
    row("kernel start → first cell's output (median)", lambda r: statistics.median(vals(r, "first_output")), "s")
    row("kernel start → first cell's output (p95)", lambda r: pct(vals(r, "first_output"), 0.95), "s")
    row("the whole lesson (median)", lambda r: statistics.median(vals(r, "lesson")), "s")
    row("kernel + children, peak PSS (median)", lambda r: mib(statistics.median(mem(r, "pss"))), "MiB", "{:.1f}")
    row("kernel + children, peak USS (median)", lambda r: mib(statistics.median(mem(r, "uss"))), "MiB", "{:.1f}")
    row("its jupyter-server, peak PSS (median)", lambda r: mib(statistics.median(mem(r, "server_pss"))), "MiB", "{:.1f}")
    row("students in 24 GiB, kernels only (PSS)", lambda r: (24 << 30) / statistics.median(mem(r, "pss")), "", "{:.0f}")
    row("students in 24 GiB, kernel + server (PSS)",
        lambda r: (24 << 30) / (statistics.median(mem(r, "pss")) + statistics.median(mem(r, "server_pss"))), "", "{:.0f}")
    lines.append("")
    for r in (g, p):
        mangled = [f"{s['name']}: {m}" for s in r["served"] for m in s["mangled"]]
        lines.append(f"{r['kernel']}: {len(r['failures'])} failures, {len(mangled)} cells with lines run together; "
                     f"{r['n']} students in {r['wall']:.0f} s")
        for f in (r["failures"] + mangled)[:12]:
            lines.append(f"- {f[:300]}")
    return "\n".join(lines) + "\n"


async def main_async(args, tmp, jupyter_path):
    AsyncHTTPClient.configure(None, max_clients=4 * args.students + 10)
    http = AsyncHTTPClient()
    hub = Hub(tmp, jupyter_path)
    try:
        await hub.ready(http)
        runs = {}
        for kernel in args.kernels:
            print(f"==> {kernel}: reference, then {args.students} students", file=sys.stderr)
            runs[kernel] = await run_kernel(hub, http, kernel, args.students)
            print(f"    {len(runs[kernel]['served'])} served, {len(runs[kernel]['failures'])} failures, "
                  f"{runs[kernel]['wall']:.0f} s", file=sys.stderr)
        return runs
    finally:
        hub.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--out", help="write the report there too")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (hub log)")
    args = ap.parse_args()
    args.kernels = ["gomp", "ipykernel"]
    tmp = tempfile.mkdtemp(prefix="gomp-hub-")
    try:
        gomp = os.path.join(tmp, "bin", "gomp")
        subprocess.run(["go", "build", "-o", gomp, "."], cwd=ROOT, check=True)
        prefix = os.path.join(tmp, "prefix")
        subprocess.run([gomp, "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
        kdir = os.path.join(prefix, "share", "jupyter", "kernels", "ipykernel")
        os.makedirs(kdir)
        with open(os.path.join(kdir, "kernel.json"), "w") as f:
            json.dump({"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                       "display_name": "Python 3 (ipykernel)", "language": "python",
                       "interrupt_mode": "signal"}, f)
        load0 = os.getloadavg()[0]
        runs = asyncio.run(main_async(args, tmp, os.path.join(prefix, "share", "jupyter")))
        version = subprocess.run([gomp, "version"], capture_output=True, text=True).stdout.strip()
        import jupyterhub
        import ipykernel
        import jupyter_server
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        info = (f"{args.students} students at once; {version}; ipykernel {ipykernel.__version__} "
                f"(Python {platform.python_version()}); JupyterHub {jupyterhub.__version__}, jupyter-server "
                f"{jupyter_server.__version__}; {cpu}, {os.cpu_count()} cores; load average {load0:.2f} "
                f"before, {os.getloadavg()[0]:.2f} after.")
        text = report(runs, info)
        print(text)
        if args.out:
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            with open(args.out, "w") as f:
                f.write(text)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
