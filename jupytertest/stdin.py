"""Reading os.Stdin in a cell asks the frontend through input_request.

With allow_stdin true, fmt.Scanln and a bufio.Scanner get what the client
answers in input_reply; with allow_stdin false, reading fails at once with an
error that says input is not available (instead of hanging); an interrupt
while the kernel waits for input ends the cell.

Prints {"problems": [...]} for stdin_test.go.
"""

import time

from common import collect, execute, problem, reply_for, run, start, stop, text_of


def answering(*answers):
    """A stdin hook that answers input_requests in turn and records them."""
    answers = list(answers)
    seen = []

    def hook(kc):
        def on_request(req):
            seen.append(req)
            if req["msg_type"] != "input_request":
                problem(f"unexpected {req['msg_type']} on stdin")
                return
            kc.input(answers.pop(0) if answers else "")
        return on_request

    return hook, seen


def main():
    km, kc = start()

    # fmt.Scanln with a prompt printed first.
    hook, seen = answering("Ada")
    code = ('import "fmt"\n\nvar name string\nfmt.Print("name? ")\n'
            'n, err := fmt.Scanln(&name)\nfmt.Println("hello", name, n, err)')
    reply, outs = execute(kc, code, allow_stdin=True, stdin_hook=hook(kc), timeout=30)
    if len(seen) != 1:
        problem(f"Scanln: {len(seen)} input_requests, want 1")
    elif seen[0]["content"].get("password") is not False:
        problem(f"Scanln: input_request password = {seen[0]['content'].get('password')!r}, want false")
    if reply["status"] != "ok" or "hello Ada 1 <nil>" not in text_of(outs):
        problem(f"Scanln: {reply} stdout {text_of(outs)!r}, want 'hello Ada 1 <nil>'")

    # bufio.Scanner reading two lines: one input_request per line.
    hook, seen = answering("first", "second")
    code = ('import (\n\t"bufio"\n\t"os"\n)\n\nsc := bufio.NewScanner(os.Stdin)\n'
            'for i := 0; i < 2 && sc.Scan(); i++ {\n\tfmt.Println("got", sc.Text())\n}')
    reply, outs = execute(kc, code, allow_stdin=True, stdin_hook=hook(kc), timeout=30)
    if reply["status"] != "ok" or text_of(outs) != "got first\ngot second\n":
        problem(f"bufio.Scanner: {reply} stdout {text_of(outs)!r}, want 'got first\\ngot second\\n' ({len(seen)} input_requests)")

    # allow_stdin false: an error at once, no input_request.
    hook, seen = answering("never")
    code = 'var s string\n_, err := fmt.Scanln(&s)\nfmt.Println("error:", err)'
    t0 = time.monotonic()
    reply, outs = execute(kc, code, allow_stdin=False, stdin_hook=hook(kc), timeout=30)
    took = time.monotonic() - t0
    out = text_of(outs)
    if seen:
        problem("allow_stdin false: the kernel sent an input_request anyway")
    # Either the read returns an error that the cell prints, or the cell
    # fails (as IPython raises StdinNotImplementedError); either way the
    # message must say that input is not available.
    if reply["status"] == "error":
        said = reply.get("evalue", "")
    else:
        said = out if "<nil>" not in out else ""
    if "input" not in said.lower() and "stdin" not in said.lower():
        problem(f"allow_stdin false: reply {reply.get('status')} {reply.get('evalue')!r}, stdout {out!r}; "
                "want an error that says input is not available")
    if took > 10:
        problem(f"allow_stdin false: the cell took {took:.1f}s; reading must fail at once")

    # Interrupt while waiting for input.
    msg_id = kc.execute('var t string\nfmt.Scanln(&t)', allow_stdin=True)
    try:
        kc.get_stdin_msg(timeout=30)
    except Exception:
        problem("interrupt during input: no input_request")
    else:
        km.interrupt_kernel()
        try:
            reply = reply_for(kc, msg_id, timeout=15)["content"]
        except Exception as e:
            problem(f"interrupt during input: no execute_reply ({type(e).__name__})")
        else:
            if reply["status"] != "error":
                problem(f"interrupt during input: reply {reply}, want an error")
            collect(kc, msg_id)
    reply, outs = execute(kc, 'fmt.Println("after")')
    if text_of(outs) != "after\n":
        problem(f"after the interrupted input the kernel gave {reply} {outs}")

    stop(km, kc)


if __name__ == "__main__":
    run(main)
