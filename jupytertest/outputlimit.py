"""A cell that floods its output ends, and what reaches the client is bounded.

Through jupyter_client, with the kernel's default output limits: a cell
prints 200 MB in 200,000 lines of 1000 bytes, then panics. The client must
get its execute_reply (an error), the panic as the cell's one error output, a
bounded number of stdout bytes (at most the 4 MiB a cell may print) that are
the flood's first lines, whole, and one notice on stderr that says how many
bytes were dropped, with the count exact. The next cell's output must be
complete, with no notice. An ordinary cell (1000 lines) before the flood is
never cut. Last, a cell that has printed more than it may and goes on
printing without end is interrupted: it ends Interrupted, with the notice.

Prints {"problems": [...], "received": N, "dropped": N, "seconds": S} for
outputlimit_test.go (the time is logged, not asserted).
"""

import re
import time

from common import collect, execute, log, problem, reply_for, run, start, stop, text_of

LIMIT = 4 << 20  # the kernel's default GOMP_OUTPUT_CELL_LIMIT
LINES = 200_000
LINE = "x" * 991  # "%07d " + LINE + "\n" is 1000 bytes
SIZE = 1000
FLOOD = f"""import "fmt"
for i := 0; i < {LINES}; i++ {{ fmt.Printf("%07d {LINE}\\n", i) }}
panic("fin de la inundación")"""


def main():
    km, kc = start()
    try:
        reply, outputs = execute(kc, 'import "fmt"\nfor i := 0; i < 1000; i++ { fmt.Println("línea", i) }')
        want = "".join(f"línea {i}\n" for i in range(1000))
        if reply.get("status") != "ok" or text_of(outputs) != want or text_of(outputs, "stderr"):
            problem(f"an ordinary cell was changed: {reply}, {len(text_of(outputs))} bytes, "
                    f"stderr {text_of(outputs, 'stderr')!r}")

        t0 = time.monotonic()
        reply, outputs = execute(kc, FLOOD, timeout=600)
        took = time.monotonic() - t0
        log(f"the 200 MB cell took {took:.1f} s")
        if reply.get("status") != "error" or reply.get("ename") != "panic":
            problem(f"the flood's reply: {reply}")
        errors = [o for o in outputs if o["msg_type"] == "error"]
        if len(errors) != 1 or "fin de la inundación" not in errors[0]["content"]["evalue"]:
            problem(f"the flood's error outputs: {errors}")
        out = text_of(outputs)
        received = len(out.encode())
        if not 0 < received <= LIMIT:
            problem(f"the client received {received} bytes of stdout; the limit is {LIMIT}")
        lines = out.split("\n")
        if lines[-1] != "":
            problem(f"the delivered output does not end at a line: {lines[-1][-40:]!r}")
        lines = lines[:-1]
        if lines != [f"{i:07d} {LINE}" for i in range(len(lines))]:
            problem("the delivered output is not the flood's first lines, whole and in order")
        notices = [o["content"]["text"] for o in outputs
                   if o["msg_type"] == "stream" and o["content"]["name"] == "stderr"]
        dropped = -1
        if len(notices) != 1:
            problem(f"want one notice on stderr, got {notices}")
        else:
            m = re.search(r"output limit exceeded: (\d+) bytes", notices[0])
            if not m:
                problem(f"the notice does not say what was dropped: {notices[0]!r}")
            else:
                dropped = int(m.group(1))
                if dropped != LINES * SIZE - received:
                    problem(f"the notice says {dropped} bytes dropped; "
                            f"{LINES * SIZE - received} were")
        kinds = [o["msg_type"] for o in outputs]
        if kinds and kinds[-1] != "error":
            problem(f"the error is not the flood's last output: {kinds[-5:]}")

        reply, outputs = execute(kc, 'for i := 0; i < 3; i++ { fmt.Println("después", i) }')
        if reply.get("status") != "ok" or text_of(outputs) != "después 0\ndespués 1\ndespués 2\n" \
                or text_of(outputs, "stderr"):
            problem(f"the next cell: {reply}, {outputs}")
        endless(km, kc)
        return {"received": received, "dropped": dropped, "seconds": round(took, 2)}
    finally:
        stop(km, kc)


ENDLESS = f"""import "display"
for i := 0; i < {LIMIT // 10}; i++ {{ fmt.Println("sin fin", i) }}
display.HTML("<b>el límite ya se superó</b>")
for i := 0; ; i++ {{ fmt.Println("sin fin", i) }}"""


def endless(km, kc):
    """A cell past its budget (its display, never dropped, says when),
    then printing without end, is interrupted."""
    msg_id = kc.execute(ENDLESS)
    got, deadline = 0, time.monotonic() + 300
    while True:
        if time.monotonic() > deadline:
            problem(f"the endless cell's display never came ({got} bytes of stdout)")
            return
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            got += len(msg["content"]["text"].encode())
        if msg["msg_type"] == "display_data":
            break
        if msg["msg_type"] == "error" or msg["content"].get("execution_state") == "idle":
            problem(f"the endless cell ended before its display: {msg['content']}")
            return
    km.interrupt_kernel()
    outputs = [{"msg_type": m["msg_type"], "content": m["content"]} for m in collect(kc, msg_id, timeout=60)]
    reply = reply_for(kc, msg_id, timeout=60)["content"]
    if reply.get("status") != "error" or reply.get("ename") != "Interrupted":
        problem(f"the interrupted endless cell replied {reply}")
    got += len(text_of(outputs).encode())
    if not LIMIT - 64 < got <= LIMIT:
        problem(f"the endless cell delivered {got} bytes; the limit is {LIMIT}")
    notice = text_of(outputs, "stderr")
    if notice.count("output limit exceeded") != 1:
        problem(f"the endless cell's notice: {notice!r}")


if __name__ == "__main__":
    run(main)
