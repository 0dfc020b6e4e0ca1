"""`jupyter console --kernel gomp` in a real terminal.

pexpect gives jupyter console a pseudo-terminal, so it runs its full
prompt_toolkit interface (the --simple-prompt mode cannot enter multi-line
code). The script types a multi-line function definition (Enter on an
incomplete line must continue it, which the console decides with the kernel's
is_complete_reply), calls the function, prints, and exits with Ctrl-D.

Prints {"problems": [...], "screen": "..."} for console_test.go.
"""

import os
import re
import sys
import time

import pexpect

from common import problem, run


ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")
CPR_REQUEST = "\x1b[6n"


class Terminal:
    """A pexpect child whose output is kept as text without escape codes."""

    def __init__(self, argv, env):
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, encoding="utf-8",
                                   dimensions=(40, 200), timeout=5)
        self.raw = ""
        self.text = ""
        self.mark = 0  # expect() searches text after this point

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return False
            self.raw += chunk
            # prompt_toolkit asks where the cursor is; answer like a terminal
            # would, or it waits and then warns.
            for _ in range(chunk.count(CPR_REQUEST)):
                self.child.send("\x1b[1;1R")
            self.text = ANSI.sub("", self.raw)
        return True

    def expect(self, pattern, timeout=30):
        """Wait for pattern in the output since the last match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text, self.mark)
            if m:
                self.mark = m.end()
                return m
            if time.monotonic() > deadline or not self.pump(0.1):
                m = rx.search(self.text, self.mark)
                if m:
                    self.mark = m.end()
                    return m
                return None

    def type_line(self, line):
        self.child.send(line + "\r")


def main():
    env = dict(os.environ, TERM="xterm-256color")
    argv = [sys.executable, "-m", "jupyter_console", "--kernel", os.environ.get("GOMP_KERNEL", "gomp")]
    term = Terminal(argv, env)

    def step(what, pattern, timeout=30):
        if term.expect(pattern, timeout) is None:
            problem(f"{what}: did not see {pattern!r}")
            return False
        return True

    ok = step("start", r"In \[1\]:", timeout=60)
    if ok:
        term.pump(0.3)
        term.type_line("func add(a, b int) int {")
        # Enter on an incomplete line continues it with a "...:" prompt.
        ok = step("multi-line function, first line", r"\.\.\.:")
    if ok:
        term.type_line("return a + b")
        ok = step("multi-line function, second line", r"\.\.\.:")
    if ok:
        term.type_line("}")
        ok = step("function definition", r"In \[2\]:")
    if ok:
        term.type_line("add(2, 3)")
        ok = step("calling the function", r"Out\[2\]: 5\b")
    if ok:
        ok = step("prompt after the call", r"In \[3\]:")
    if ok:
        term.type_line('import "fmt"')
        ok = step("import", r"In \[4\]:")
    if ok:
        term.type_line('fmt.Println("from the console")')
        ok = step("printing", r"from the console")
    if ok:
        ok = step("prompt after printing", r"In \[5\]:")
    if ok:
        term.type_line("nosuchname + 1")
        ok = step("an error", r"undefined")
    # Ctrl-D asks whether to exit; yes shuts the kernel down.
    term.pump(0.3)
    term.child.send("\x04")
    if step("exit question", r"exit \(\[y\]/n\)\?", timeout=10):
        term.type_line("y")
        step("shutting down", r"Shutting down kernel", timeout=15)
    term.pump(5)
    term.child.close(force=True)
    if term.child.exitstatus not in (0, None):
        problem(f"jupyter console exited with status {term.child.exitstatus}")
    return {"screen": term.text[-4000:]}


if __name__ == "__main__":
    run(main)
