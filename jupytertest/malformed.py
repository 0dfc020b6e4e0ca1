"""Malformed input at every socket never kills or wedges the kernel.

Each socket (shell, control, stdin, iopub, heartbeat) gets: raw bytes that
are not ZeroMQ at all, a socket of the wrong ZeroMQ type, frames without the
<IDS|MSG> delimiter, too few frames, bad JSON, JSON of the wrong shape,
headers missing required fields, requests with missing or mistyped content
fields, an unknown message type, a large frame, and a connection that stalls
halfway through the ZeroMQ handshake. After each socket's turn the kernel
must answer kernel_info and heartbeat pings; at the end it must still run a
cell.

With the argument "stall", it checks instead that a connection stalled
halfway through the ZeroMQ handshake on every port does not keep new clients
from connecting.

Prints {"problems": [...]} for malformed_test.go.
"""

import json
import os
import socket
import sys
import time

import zmq
from jupyter_client.session import Session

from common import execute, log, problem, run, start, stop


DELIM = b"<IDS|MSG>"


def signed(session, header, parent=b"{}", metadata=b"{}", content=b"{}", extra=()):
    """Frames with a valid signature over whatever bytes are given."""
    parts = [header, parent, metadata, content, *extra]
    return [DELIM, session.sign(parts[:4]), *parts]


def header(sess, kind, **drop_or_change):
    """A header for kind, with fields dropped (None) or changed."""
    h = sess.msg_header(kind)
    h["date"] = h["date"].isoformat()
    for k, v in drop_or_change.items():
        if v is None:
            h.pop(k, None)
        else:
            h[k] = v
    return json.dumps(h).encode()


def garbage_messages(session):
    """(description, frames) that a ROUTER socket of the kernel must survive."""
    s = session
    ok_header = header(s, "kernel_info_request")
    cases = [
        ("one garbage frame", [b"garbage"]),
        ("empty frame", [b""]),
        ("frames without delimiter", [b"a", b"b", b"c", b"d", b"e", b"f"]),
        ("delimiter only", [DELIM]),
        ("delimiter and signature only", [DELIM, b"0" * 64]),
        ("too few frames", signed(s, ok_header)[:4]),
        ("bad JSON header", signed(s, b"{not json")),
        ("non-UTF-8 header", signed(s, b"\xff\xfe\xfd")),
        ("header is a list", signed(s, b"[1, 2]")),
        ("header is null", signed(s, b"null")),
        ("header is a number", signed(s, b"42")),
        ("header without msg_type", signed(s, header(s, "kernel_info_request", msg_type=None))),
        ("header without msg_id", signed(s, header(s, "kernel_info_request", msg_id=None))),
        ("header without session", signed(s, header(s, "kernel_info_request", session=None))),
        ("msg_type is a number", signed(s, header(s, "kernel_info_request", msg_type=7))),
        ("msg_id is an object", signed(s, header(s, "kernel_info_request", msg_id={"a": 1}))),
        ("bad parent JSON", signed(s, ok_header, parent=b"{{")),
        ("bad metadata JSON", signed(s, ok_header, metadata=b"]")),
        ("bad content JSON", signed(s, header(s, "execute_request"), content=b"{\"code\": ")),
        ("content is a list", signed(s, header(s, "execute_request"), content=b"[]")),
        ("execute_request without code", signed(s, header(s, "execute_request"), content=b"{}")),
        ("code is a number", signed(s, header(s, "execute_request"), content=b'{"code": 12}')),
        ("silent is a string", signed(s, header(s, "execute_request"),
                                      content=b'{"code": "1", "silent": "yes", "user_expressions": 3}')),
        ("complete_request cursor past the end", signed(s, header(s, "complete_request"),
                                                        content=b'{"code": "fmt.", "cursor_pos": 9999}')),
        ("complete_request negative cursor", signed(s, header(s, "complete_request"),
                                                    content=b'{"code": "fmt.", "cursor_pos": -5}')),
        ("complete_request cursor is a string", signed(s, header(s, "complete_request"),
                                                       content=b'{"code": "fmt.", "cursor_pos": "x"}')),
        ("inspect_request cursor in a multi-byte rune", signed(s, header(s, "inspect_request"),
                                                               content='{"code": "\u00e9\u00e9\u00e9", "cursor_pos": 2, "detail_level": 7}'.encode())),
        ("is_complete_request without code", signed(s, header(s, "is_complete_request"), content=b"{}")),
        ("history_request of an unknown type", signed(s, header(s, "history_request"),
                                                      content=b'{"hist_access_type": "sideways", "n": -3}')),
        ("history_request range without session", signed(s, header(s, "history_request"),
                                                         content=b'{"hist_access_type": "range", "start": "a"}')),
        ("comm_open without target", signed(s, header(s, "comm_open"), content=b'{"comm_id": 5}')),
        ("comm_msg to an unknown comm", signed(s, header(s, "comm_msg"),
                                              content=b'{"comm_id": "nope", "data": {}}')),
        ("comm_close of an unknown comm", signed(s, header(s, "comm_close"), content=b'{"comm_id": "nope"}')),
        ("comm_info_request with a bad target", signed(s, header(s, "comm_info_request"),
                                                       content=b'{"target_name": []}')),
        ("unknown message type", signed(s, header(s, "frobnicate_request"))),
        ("reply type sent to the kernel", signed(s, header(s, "execute_reply"), content=b'{"status": "ok"}')),
        ("input_reply nobody asked for", signed(s, header(s, "input_reply"), content=b'{"value": "x"}')),
        ("extra buffer frames", signed(s, ok_header, extra=(b"buf1", b"\x00" * 100))),
        ("8 MiB frame", [DELIM, b"0" * 64, os.urandom(8 << 20)]),
    ]
    return cases


def raw_tcp_abuse(host, port):
    """Bytes that are not ZeroMQ, and greetings cut short or followed by junk."""
    payloads = [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        os.urandom(1024),
        b"\xff" + b"\x00" * 8 + b"\x7f",  # start of a ZMTP 3 greeting, then nothing
        b"\xff" + b"\x00" * 8 + b"\x7f\x03\x00NULL" + b"\x00" * 16 + b"\x00" + b"\x00" * 31
        + b"\x04\xff" + os.urandom(255),  # greeting, then a bogus command
        b"",
    ]
    for data in payloads:
        try:
            with socket.create_connection((host, port), timeout=2) as c:
                if data:
                    c.sendall(data)
                time.sleep(0.05)
        except OSError as e:
            log(f"raw tcp to {port}: {e}")


def stall(host, port):
    """A connection that sends half a ZeroMQ greeting, then waits."""
    c = socket.create_connection((host, port), timeout=2)
    c.sendall(b"\xff\x00\x00")
    return c


def check_alive(km, kc, session, after):
    """kernel_info on shell and a heartbeat ping on a new connection must both
    be answered."""
    msg_id = kc.kernel_info()
    try:
        while True:
            reply = kc.get_shell_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
    except Exception as e:  # queue.Empty
        problem(f"after {after}: no kernel_info_reply ({type(e).__name__})")
        return False
    hb = km.connect_hb()
    hb.send(b"ping")
    if hb.poll(5000):
        if hb.recv() != b"ping":
            problem(f"after {after}: heartbeat echoed something else")
    else:
        problem(f"after {after}: no heartbeat echo")
    hb.close(linger=0)
    if not km.is_alive():
        problem(f"after {after}: the kernel process died")
        return False
    return True


def main():
    km, kc = start()
    # The garbage gets its own session id, so that its msg_ids can never be
    # those of the client's own requests (a late status for a garbage message
    # would then look like the client's).
    session = Session(key=km.session.key, signature_scheme=km.session.signature_scheme)
    info = km.get_connection_info()
    host = info["ip"]
    ctx = zmq.Context.instance()
    if info["transport"] != "tcp":
        problem("expected a tcp kernel")

    # ROUTER sockets: shell, control, stdin.
    for name in ("shell", "control", "stdin"):
        port = info[f"{name}_port"]
        raw_tcp_abuse(host, port)
        # Wrong ZeroMQ socket type: a PUB connecting to a ROUTER.
        wrong = ctx.socket(zmq.PUB)
        wrong.linger = 0
        wrong.connect(f"tcp://{host}:{port}")
        wrong.send(b"hello")
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect(f"tcp://{host}:{port}")
        for desc, frames in garbage_messages(session):
            sock.send_multipart(frames)
        time.sleep(0.5)
        # Replies to malformed requests are allowed (an error reply is what
        # the spec asks for in some cases); they must be well-formed.
        while sock.poll(200):
            frames = sock.recv_multipart()
            try:
                session.deserialize(session.feed_identities(frames)[1])
            except Exception as e:
                problem(f"{name}: the kernel sent a malformed or badly signed reply: {e!r}")
        wrong.close()
        sock.close()
        if not check_alive(km, kc, session, f"garbage on {name}"):
            return

    # iopub (PUB): raw bytes, an XSUB sending junk subscriptions and
    # messages, a DEALER (wrong type).
    port = info["iopub_port"]
    raw_tcp_abuse(host, port)
    xsub = ctx.socket(zmq.XSUB)
    xsub.linger = 0
    xsub.connect(f"tcp://{host}:{port}")
    for frame in (b"\x01", b"\x00nothing", b"\x07junk", b"", os.urandom(4096)):
        xsub.send(frame)
    dealer = ctx.socket(zmq.DEALER)
    dealer.linger = 0
    dealer.connect(f"tcp://{host}:{port}")
    dealer.send_multipart([b"not", b"allowed"])
    time.sleep(0.5)
    xsub.close()
    dealer.close()
    if not check_alive(km, kc, session, "garbage on iopub"):
        return

    # Heartbeat (REP): raw bytes, multi-frame junk from a REQ, a DEALER
    # without the envelope a REP expects.
    port = info["hb_port"]
    raw_tcp_abuse(host, port)
    req = ctx.socket(zmq.REQ)
    req.linger = 0
    req.connect(f"tcp://{host}:{port}")
    req.send_multipart([b"a", os.urandom(100_000), b""])
    if req.poll(5000):
        req.recv_multipart()
    else:
        problem("heartbeat did not echo a multi-frame ping")
    req.close()
    dealer = ctx.socket(zmq.DEALER)
    dealer.linger = 0
    dealer.connect(f"tcp://{host}:{port}")
    dealer.send_multipart([b"no", b"envelope"])
    time.sleep(0.3)
    dealer.close()
    if not check_alive(km, kc, session, "garbage on heartbeat"):
        return

    reply, outputs = execute(kc, "1 + 1")
    results = [o["content"]["data"].get("text/plain") for o in outputs if o["msg_type"] == "execute_result"]
    if reply.get("status") != "ok" or results != ["2"]:
        problem(f"after all the garbage, 1 + 1 gave {reply} {outputs}")
    stop(km, kc)


def main_stall():
    km, kc = start()
    session = Session(key=km.session.key, signature_scheme=km.session.signature_scheme)
    info = km.get_connection_info()
    host = info["ip"]
    # A client stuck halfway through the handshake (a port scanner, a
    # frozen process) must not keep others from connecting: with one stalled
    # connection on every port, a new client must still get through.
    stalled = [stall(host, info[f"{name}_port"]) for name in ("shell", "control", "stdin", "iopub", "hb")]
    hb = km.connect_hb()
    hb.send(b"ping")
    if not hb.poll(5000):
        problem("while a connection stalls in the ZeroMQ handshake, a new heartbeat connection gets no echo")
    hb.close(linger=0)
    # A new session: clients sharing one would share a ZeroMQ identity.
    kc2 = km.client(session=Session(key=km.session.key, signature_scheme=km.session.signature_scheme))
    kc2.start_channels()
    try:
        kc2.wait_for_ready(timeout=10)
    except RuntimeError:
        problem("while a connection stalls in the ZeroMQ handshake, a new client cannot connect")
    kc2.stop_channels()
    for c in stalled:
        c.close()
    check_alive(km, kc, session, "closing the stalled connections")
    stop(km, kc)


if __name__ == "__main__":
    run(main_stall if sys.argv[1:] == ["stall"] else main)
