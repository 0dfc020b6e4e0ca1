"""A cell's output reaches the client whole and in the order the cell made it.

The session gathers stream text into frames (backend/remote's outbox); this
checks through jupyter_client that nothing is reordered or moved by it:

  - order: a cell alternating fmt.Println, fmt.Fprintln(os.Stderr),
    display.HTML and display.Text, then a panic, gets exactly that sequence
    of outputs (adjacent text of one stream joined, as a notebook shows it),
    the panic as its one error, last;
  - goroutines: a goroutine cell A left running prints while cell B prints
    in the same loop; A's lines stay under A (after A's idle), B's under B,
    each whole and in order;
  - child: a cell prints, runs an mp child that prints 2,000 lines, joins it
    and prints again: the stdout is those three parts in that order;
  - flood: 2,000,000 prints of 100 bytes end with the first 4 MiB and the
    one notice saying how much was dropped (the time is logged, not
    asserted), and the next cell's output is whole;
  - interrupt: a `for {}` printing numbers is interrupted once its output
    shows; it ends Interrupted, what it printed is 0, 1, 2... with no gap,
    and the next cell runs. The same for a loop alternating stdout and
    stderr (one message per line, which the kernel paces): it ends
    Interrupted without the kernel stopping its session, what is shown
    alternates, and a note may say how much was dropped (the times to the
    reply are logged).

Prints {"problems": [...], "flood_seconds": S, "interrupt_seconds": S,
"interrupt_alternating_seconds": S} for outputorder_test.go.
"""

import re
import time
from queue import Empty

from common import execute, log, problem, reply_for, run, start, stop, text_of

LIMIT = 4 << 20  # the kernel's default GOMP_OUTPUT_CELL_LIMIT


def joined(outputs):
    """The outputs as a notebook shows them: adjacent text of one stream
    joined; displays as their MIME data; errors as their ename."""
    out = []
    for o in outputs:
        t, c = o["msg_type"], o["content"]
        if t == "execute_input":
            continue
        if t == "stream":
            if out and out[-1][0] == c["name"]:
                out[-1] = (c["name"], out[-1][1] + c["text"])
            else:
                out.append((c["name"], c["text"]))
        elif t == "display_data":
            kind = "text/html" if "text/html" in c["data"] else "text/plain"
            out.append(("display", kind, c["data"].get(kind)))
        elif t == "error":
            out.append(("error", c["ename"], c["evalue"]))
        else:
            out.append((t,))
    return out


ORDER = """import ("fmt"; "os"; "display")
for i := 0; i < 300; i++ {
	fmt.Println("salida", i)
	fmt.Fprintln(os.Stderr, "error", i)
	if i%50 == 49 {
		display.HTML(fmt.Sprintf("<b>%d</b>", i))
		display.Text(fmt.Sprint("texto ", i))
	}
}
fmt.Print("sin salto")
panic("al final")"""


def check_order(kc):
    reply, outputs = execute(kc, ORDER)
    want = []
    for i in range(300):
        want += [("stdout", f"salida {i}\n"), ("stderr", f"error {i}\n")]
        if i % 50 == 49:
            want.append(("display", "text/html", f"<b>{i}</b>"))
            want.append(("display", "text/plain", f"texto {i}"))
    want.append(("stdout", "sin salto"))
    got = joined(outputs)
    if reply.get("status") != "error" or reply.get("ename") != "panic":
        problem(f"order: the reply is {reply}")
    if not got or got[-1][0] != "error" or "al final" not in got[-1][2]:
        problem(f"order: the panic is not the last output: {got[-3:]}")
    else:
        got = got[:-1]
    for k, (g, w) in enumerate(zip(got, want)):
        if g != w:
            problem(f"order: output {k} is {g!r}, want {w!r}")
            return
    if len(got) != len(want):
        problem(f"order: {len(got)} outputs, want {len(want)}: the tail {got[len(want):][:3]}")


def run_collecting_all(kc, code, timeout=60):
    """Run code; return (reply content, {parent msg_id: [iopub messages]})
    with every message read until this cell's idle, whatever its parent."""
    msg_id = kc.execute(code)
    byparent = {}
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no idle for {msg_id}")
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except Empty:
            continue
        parent = msg["parent_header"].get("msg_id")
        if msg["msg_type"] == "status":
            if parent == msg_id and msg["content"]["execution_state"] == "idle":
                break
            continue
        byparent.setdefault(parent, []).append({"msg_type": msg["msg_type"], "content": msg["content"]})
    return reply_for(kc, msg_id)["content"], msg_id, byparent


def check_goroutines(kc):
    n = 2000
    a_id = kc.execute(f"""import "fmt"
pulsos := make(chan int)
hecho := make(chan bool)
go func() {{
	for i := range pulsos {{
		fmt.Println("goroutina de A", i)
	}}
	hecho <- true
}}()
fmt.Println("A termina")""")
    reply_for(kc, a_id)
    reply, b_id, byparent = run_collecting_all(kc, f"""for i := 0; i < {n}; i++ {{
	pulsos <- i
	fmt.Println("celda B", i)
}}
close(pulsos)
<-hecho""")
    if reply.get("status") != "ok":
        problem(f"goroutines: cell B failed: {reply}")
    a_out = text_of(byparent.get(a_id, []))
    b_out = text_of(byparent.get(b_id, []))
    want_a = "A termina\n" + "".join(f"goroutina de A {i}\n" for i in range(n))
    want_b = "".join(f"celda B {i}\n" for i in range(n))
    a_lines = a_out  # A's own line, then its goroutine's
    if a_lines != want_a:
        problem(f"goroutines: under cell A {len(a_lines)} bytes, want {len(want_a)}; "
                f"start {a_lines[:60]!r}; B's lines there: {'celda B' in a_lines}")
    if b_out != want_b:
        problem(f"goroutines: under cell B {len(b_out)} bytes, want {len(want_b)}; "
                f"A's lines there: {'goroutina de A' in b_out}")
    others = set(byparent) - {a_id, b_id}
    for p in others:
        if text_of(byparent[p]):
            problem(f"goroutines: stream text under an unrelated parent {p}")


CHILD = """import ("fmt"; "mp")
func hijo(n int) {
	for i := 0; i < n; i++ {
		fmt.Println("hijo", i)
	}
}
fmt.Println("antes")
p := mp.NewProcess(hijo, 2000)
p.Start()
p.Join()
fmt.Println("después")"""


def check_child(kc):
    reply, outputs = execute(kc, CHILD, timeout=60)
    want = "antes\n" + "".join(f"hijo {i}\n" for i in range(2000)) + "después\n"
    got = text_of(outputs)
    if reply.get("status") != "ok" or got != want or text_of(outputs, "stderr"):
        problem(f"child: {reply.get('status')}, {len(got)} bytes of stdout (want {len(want)}), "
                f"starts {got[:30]!r}, stderr {text_of(outputs, 'stderr')[:200]!r}")


PAD = "x" * 91  # "%07d " + PAD + "\n" is 100 bytes
LINES = 2_000_000
FLOOD = f'import "fmt"\nfor i := 0; i < {LINES}; i++ {{ fmt.Printf("%07d {PAD}\\n", i) }}'


def check_flood(kc):
    t0 = time.monotonic()
    reply, outputs = execute(kc, FLOOD, timeout=600)
    took = time.monotonic() - t0
    log(f"the 2,000,000-print cell took {took:.1f} s")
    if reply.get("status") != "ok":
        problem(f"flood: the reply is {reply}")
    out = text_of(outputs)
    received = len(out.encode())
    if not 0 < received <= LIMIT:
        problem(f"flood: the client received {received} bytes of stdout; the limit is {LIMIT}")
    lines = out.split("\n")
    if lines[-1] != "":
        problem(f"flood: the delivered output does not end at a line: {lines[-1][-40:]!r}")
    lines = lines[:-1]
    if lines != [f"{i:07d} {PAD}" for i in range(len(lines))]:
        problem("flood: the delivered output is not the flood's first lines, whole and in order")
    notices = [o["content"]["text"] for o in outputs
               if o["msg_type"] == "stream" and o["content"]["name"] == "stderr"]
    m = re.search(r"output limit exceeded: (\d+) bytes", "".join(notices))
    if len(notices) != 1 or not m:
        problem(f"flood: want one notice on stderr, got {notices}")
    elif int(m.group(1)) != LINES * 100 - received:
        problem(f"flood: the notice says {m.group(1)} bytes dropped; {LINES * 100 - received} were")
    reply, outputs = execute(kc, 'for i := 0; i < 3; i++ { fmt.Println("después", i) }')
    if reply.get("status") != "ok" or text_of(outputs) != "después 0\ndespués 1\ndespués 2\n" \
            or text_of(outputs, "stderr"):
        problem(f"flood: the next cell: {reply}, {outputs}")
    return took


def interrupt_printing(km, kc, code):
    """Run code, interrupt it once its output shows; return (seconds from
    the interrupt to the reply, reply content, outputs)."""
    msg_id = kc.execute(code)
    deadline = time.monotonic() + 60
    outputs = []
    t_int = None
    idle = False
    while not idle and time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and t_int is None:
            t_int = time.monotonic()
            km.interrupt_kernel()
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
        elif msg["msg_type"] != "status":
            outputs.append({"msg_type": msg["msg_type"], "content": msg["content"]})
    if t_int is None:
        problem(f"interrupt: the printing cell showed no output: {code!r}")
        return None, {}, outputs
    reply = reply_for(kc, msg_id, timeout=30)["content"]
    return time.monotonic() - t_int, reply, outputs


def check_interrupt(km, kc):
    took, reply, outputs = interrupt_printing(km, kc, 'import "fmt"\ni := 0\nfor {\n\tfmt.Println(i)\n\ti++\n}')
    if took is None:
        return None, None
    log(f"interrupt of a printing loop: {took:.3f} s to the reply")
    if reply.get("ename") != "Interrupted":
        problem(f"interrupt: the reply is {reply}")
    # Every print is a whole line: the output ends at one.
    numbers = text_of(outputs).split("\n")
    if numbers[-1] != "":
        problem(f"interrupt: the output does not end at a line: {numbers[-1]!r}")
    numbers = numbers[:-1]
    if numbers != [str(i) for i in range(len(numbers))]:
        problem(f"interrupt: the output is not 0, 1, 2... in order: {numbers[:5]} ... {numbers[-3:]}")

    # One stream message per line, which the kernel paces (100 a second):
    # the interrupt must not wait for all of them, and says what it dropped.
    took2, reply, outputs = interrupt_printing(
        km, kc, 'import "os"\nfor {\n\tfmt.Println("o")\n\tfmt.Fprintln(os.Stderr, "e")\n}')
    if took2 is None:
        return took, None
    log(f"interrupt of a loop alternating stdout and stderr: {took2:.3f} s to the reply")
    if reply.get("ename") != "Interrupted" or "did not stop" in reply.get("evalue", ""):
        problem(f"interrupt (alternating): the reply is {reply}")
    shown = joined(outputs)
    if shown and shown[-1][0] == "error":
        shown = shown[:-1]
    if shown and shown[-1][0] == "stderr" and "are not shown" in shown[-1][1]:
        head, _, note = shown[-1][1].rpartition("(")
        shown[-1] = ("stderr", head)
        if not re.fullmatch(r"\d+ bytes the cell printed before it stopped are not shown: .*\)\n", note):
            problem(f"interrupt (alternating): the note {note!r}")
        if shown[-1][1] == "":
            shown = shown[:-1]
    for k, (name, text) in enumerate(shown):
        want = ("stdout", "o\n") if k % 2 == 0 else ("stderr", "e\n")
        if (name, text) != want:
            problem(f"interrupt (alternating): output {k} is {(name, text)!r}, want {want!r}")
            break
    reply, outputs = execute(kc, 'fmt.Println("sigue")')
    if reply.get("status") != "ok" or text_of(outputs) != "sigue\n":
        problem(f"interrupt: the next cell: {reply}, {outputs}")
    return took, took2


def main():
    km, kc = start()
    try:
        for check in (check_order, check_goroutines, check_child):
            t0 = time.monotonic()
            check(kc)
            log(f"{check.__name__}: {time.monotonic() - t0:.2f} s")
        flood = check_flood(kc)
        took, took2 = check_interrupt(km, kc)
    finally:
        stop(km, kc)
    return {"flood_seconds": flood, "interrupt_seconds": took, "interrupt_alternating_seconds": took2}


if __name__ == "__main__":
    run(main)
