"""Run one cell in kernels that Jupyter Server starts for notebooks.

Usage: labsession.py BASE_URL TOKEN RUNTIME_DIR CODE PATH...

For each PATH (relative to the server's root) it asks the server for a
session, as JupyterLab does when it opens a notebook (POST /api/sessions,
kernel gomp), so that the server starts the kernel with the notebook's
path in JPY_SESSION_NAME; it then runs CODE in that kernel through the
connection file the server wrote in RUNTIME_DIR, and deletes the session
(which shuts the kernel down). Prints {PATH: stdout, ...} as JSON.
"""

import json
import os
import sys
import urllib.request

from jupyter_client import BlockingKernelClient


def call(base, token, method, path, body=None):
    req = urllib.request.Request(
        base.rstrip("/") + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "token " + token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        data = r.read()
        return json.loads(data) if data else None


def run_cell(connection_file, code):
    kc = BlockingKernelClient(connection_file=connection_file)
    kc.load_connection_file()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        msg_id = kc.execute(code)
        out = []
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                out.append("ERROR %s: %s" % (content["ename"], content["evalue"]))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)
    finally:
        kc.stop_channels()


def main():
    base, token, runtime, code = sys.argv[1:5]
    results = {}
    for path in sys.argv[5:]:
        session = call(base, token, "POST", "/api/sessions",
                       {"path": path, "name": os.path.basename(path), "type": "notebook", "kernel": {"name": "gomp"}})
        try:
            kernel_id = session["kernel"]["id"]
            results[path] = run_cell(os.path.join(runtime, "kernel-%s.json" % kernel_id), code)
        finally:
            call(base, token, "DELETE", "/api/sessions/" + session["id"])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
