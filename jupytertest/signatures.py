"""Messages with a wrong or missing signature are never acted on.

At the shell and control sockets, execute_requests whose code would create a
file are sent signed with the wrong key, with no signature, and with a valid
signature over different content (tampered after signing); control also gets
badly signed shutdown_requests. None may run or be answered. Then the same
code correctly signed must run, and the kernel must still answer. At the
stdin socket, badly signed input_replies must be ignored and the correctly
signed one used.

Prints {"problems": [...]} for signatures_test.go.
"""

import json
import os
import tempfile
import time

from jupyter_client.session import Session

from common import execute, problem, run, start, stop, text_of


def write_file_code(path, text="x"):
    return f'import "os"\n\nos.WriteFile({json.dumps(path)}, []byte({json.dumps(text)}), 0o644)'


def bad_variants(session):
    """(name, frames) builders that each produce a message the kernel must drop."""
    wrong = Session(key=b"this-is-not-the-key", session=session.session, username=session.username)

    def wrong_key(msg):
        return wrong.serialize(msg)

    def no_signature(msg):
        frames = session.serialize(msg)
        frames[1] = b""
        return frames

    def tampered(msg):
        frames = session.serialize(msg)
        content = json.loads(frames[5])
        if "code" in content:
            content["code"] += "\n// tampered"
        else:
            content["tampered"] = True
        frames[5] = json.dumps(content).encode()
        return frames

    def truncated_signature(msg):
        frames = session.serialize(msg)
        frames[1] = frames[1][:-2]
        return frames

    return [
        ("wrong key", wrong_key),
        ("no signature", no_signature),
        ("tampered content", tampered),
        ("truncated signature", truncated_signature),
    ]


def drain(sock, bad_ids, where, session):
    """Report any message on sock that answers one of bad_ids."""
    while sock.poll(0):
        frames = sock.recv_multipart()
        try:
            i = frames.index(b"<IDS|MSG>")
            parent = json.loads(frames[i + 3])
        except (ValueError, IndexError, json.JSONDecodeError):
            continue
        if parent.get("msg_id") in bad_ids:
            header = json.loads(frames[i + 2])
            problem(f"{where}: the kernel answered a badly signed message "
                    f"({bad_ids[parent['msg_id']]}) with {header.get('msg_type')}")


def main():
    tmp = tempfile.mkdtemp(prefix="gomp-sig-")
    km, kc = start()
    session = km.session
    if not session.key:
        problem("the connection file has no key; nothing to test")
    shell = km.connect_shell()
    control = km.connect_control()
    iopub = km.connect_iopub()
    time.sleep(0.5)  # let the subscription reach the kernel

    bad_ids = {}  # msg_id -> description
    markers = []
    for sockname, sock in (("shell", shell), ("control", control)):
        for variant, build in bad_variants(session):
            path = os.path.join(tmp, f"{sockname}-{variant.replace(' ', '-')}")
            markers.append(path)
            msg = session.msg("execute_request", content={
                "code": write_file_code(path), "silent": False, "store_history": True,
                "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
            })
            bad_ids[msg["header"]["msg_id"]] = f"execute_request, {variant}, on {sockname}"
            sock.send_multipart(build(msg))
            if sockname == "control":
                for restart in (False, True):
                    msg = session.msg("shutdown_request", content={"restart": restart})
                    bad_ids[msg["header"]["msg_id"]] = f"shutdown_request, {variant}, on control"
                    sock.send_multipart(build(msg))
                msg = session.msg("interrupt_request", content={})
                bad_ids[msg["header"]["msg_id"]] = f"interrupt_request, {variant}, on control"
                sock.send_multipart(build(msg))

    # The kernel handles each socket's messages in order, so once it has
    # answered a good kernel_info_request sent after the bad ones, it has
    # seen them all. Wait a little more for anything running in background.
    for sockname, sock in (("shell", shell), ("control", control)):
        msg = session.msg("kernel_info_request")
        session.send(sock, msg)
        if not sock.poll(10000):
            problem(f"no kernel_info_reply on {sockname} after the badly signed messages")
            continue
        while True:
            _, reply = session.recv(sock, mode=0)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                break
            bad = bad_ids.get(reply["parent_header"].get("msg_id"))
            problem(f"{sockname}: the kernel answered a badly signed message ({bad}) with {reply['header']['msg_type']}")
    time.sleep(1)
    drain(shell, bad_ids, "shell", session)
    drain(control, bad_ids, "control", session)
    drain(iopub, bad_ids, "iopub", session)
    for path in markers:
        if os.path.exists(path):
            problem(f"a badly signed execute_request ran: {os.path.basename(path)} was created")
    if not km.is_alive():
        problem("the kernel died after badly signed messages")
        return

    # The same request, correctly signed, runs.
    good = os.path.join(tmp, "good")
    reply, outputs = execute(kc, write_file_code(good))
    if reply["status"] != "ok":
        problem(f"a correctly signed execute_request failed: {reply}")
    if not os.path.exists(good):
        problem("a correctly signed execute_request did not run")

    # stdin: badly signed input_replies are ignored, the good one is used.
    answer = os.path.join(tmp, "answer")
    code = ('import (\n\t"fmt"\n\t"os"\n)\n\nvar s string\nfmt.Scanln(&s)\n'
            f'os.WriteFile({json.dumps(answer)}, []byte(s), 0o644)')
    stdin_sock = kc.stdin_channel.socket

    def on_input(req):
        for variant, build in bad_variants(session):
            msg = session.msg("input_reply", content={"value": "bad-" + variant.replace(" ", "-")},
                              parent=req["header"])
            stdin_sock.send_multipart(build(msg))
        time.sleep(0.3)
        # With the parent set, as the Notebook and JupyterLab send it
        # (stdin.py covers jupyter_client's input(), which sets none).
        session.send(stdin_sock, session.msg("input_reply", content={"value": "good"}, parent=req["header"]))

    try:
        reply, outputs = execute(kc, code, allow_stdin=True, stdin_hook=on_input)
    except TimeoutError as e:
        problem(f"stdin: {e}")
    else:
        if reply["status"] != "ok":
            problem(f"stdin: the cell failed: {reply}")
        try:
            with open(answer) as f:
                got = f.read()
        except FileNotFoundError:
            got = None
        if got != "good":
            problem(f"stdin: the cell read {got!r}, want 'good' (the only correctly signed input_reply)")

    # Still answering.
    reply, outputs = execute(kc, 'import "fmt"\n\nfmt.Println("still here")')
    if "still here" not in text_of(outputs):
        problem(f"the kernel stopped answering: {reply} {outputs}")

    for s in (shell, control, iopub):
        s.close(linger=0)
    stop(km, kc)
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)


if __name__ == "__main__":
    run(main)
