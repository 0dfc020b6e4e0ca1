"""Reading os.Stdin in a cell asks the frontend through input_request.

With allow_stdin true, fmt.Scanln and a bufio.Scanner get what the client
answers in input_reply (sent with jupyter_client's input(), as jupyter
console does, which sets no parent header); with allow_stdin false, reading
fails at once with an error that says input is not available (instead of
hanging); an interrupt while the kernel waits for input ends the cell.

Prints {"problems": [...]} for stdin_test.go.
"""

import time

from common import collect, execute, problem, reply_for, run, start, stop, text_of


def answering(kc, *answers):
    """A stdin hook that answers input_requests in turn, and the list of
    requests it saw."""
    answers = list(answers)
    seen = []

    def on_request(req):
        seen.append(req)
        if req["msg_type"] != "input_request":
            problem(f"unexpected {req['msg_type']} on stdin")
            return
        kc.input(answers.pop(0) if answers else "")

    return on_request, seen


def scanln(kc):
    hook, seen = answering(kc, "Ada")
    code = ('import "fmt"\n\nvar name string\nfmt.Print("name? ")\n'
            'n, err := fmt.Scanln(&name)\nfmt.Println("hello", name, n, err)')
    reply, outs = execute(kc, code, allow_stdin=True, stdin_hook=hook, timeout=20)
    if len(seen) != 1:
        problem(f"Scanln: {len(seen)} input_requests, want 1")
    elif seen[0]["content"].get("password") is not False:
        problem(f"Scanln: input_request password = {seen[0]['content'].get('password')!r}, want false")
    if reply["status"] != "ok" or "hello Ada 1 <nil>" not in text_of(outs):
        problem(f"Scanln: {reply} stdout {text_of(outs)!r}, want 'hello Ada 1 <nil>'")


def scanner(kc):
    hook, seen = answering(kc, "first", "second")
    code = ('import (\n\t"bufio"\n\t"fmt"\n\t"os"\n)\n\nsc := bufio.NewScanner(os.Stdin)\n'
            'for i := 0; i < 2 && sc.Scan(); i++ {\n\tfmt.Println("got", sc.Text())\n}')
    reply, outs = execute(kc, code, allow_stdin=True, stdin_hook=hook, timeout=20)
    if reply["status"] != "ok" or text_of(outs) != "got first\ngot second\n":
        problem(f"bufio.Scanner: {reply} stdout {text_of(outs)!r}, want 'got first\\ngot second\\n' "
                f"({len(seen)} input_requests)")


def no_stdin(kc):
    hook, seen = answering(kc, "never")
    code = 'import "fmt"\n\nvar s string\n_, err := fmt.Scanln(&s)\nfmt.Println("error:", err)'
    t0 = time.monotonic()
    reply, outs = execute(kc, code, allow_stdin=False, stdin_hook=hook, timeout=20)
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


def interrupted(km, kc):
    msg_id = kc.execute('import "fmt"\n\nvar t string\nfmt.Scanln(&t)', allow_stdin=True)
    try:
        kc.get_stdin_msg(timeout=20)
    except Exception:
        problem("interrupt during input: no input_request")
        return
    km.interrupt_kernel()
    try:
        reply = reply_for(kc, msg_id, timeout=15)["content"]
    except Exception as e:
        problem(f"interrupt during input: no execute_reply ({type(e).__name__})")
        return
    if reply["status"] != "error":
        problem(f"interrupt during input: reply {reply}, want an error")
    collect(kc, msg_id)


def main():
    km, kc = start()
    for name, case in (("Scanln", scanln), ("bufio.Scanner", scanner), ("allow_stdin false", no_stdin),
                       ("interrupt during input", lambda kc: interrupted(km, kc))):
        try:
            case(kc)
        except TimeoutError:
            problem(f"{name}: the cell never finished after the client answered its input_request "
                    "with jupyter_client's input() (an input_reply whose parent_header is empty, "
                    "as jupyter console sends it)")
            # Free the kernel for the next case.
            km.interrupt_kernel()
            time.sleep(1)
            while True:
                try:
                    kc.get_iopub_msg(timeout=0.5)
                except Exception:
                    break
            while True:
                try:
                    kc.get_shell_msg(timeout=0.5)
                except Exception:
                    break
    reply, outs = execute(kc, 'import "fmt"\n\nfmt.Println("after")')
    if text_of(outs) != "after\n":
        problem(f"after the stdin cells the kernel gave {reply} {outs}")
    stop(km, kc)


if __name__ == "__main__":
    run(main)
