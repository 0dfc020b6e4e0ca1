"""mp benchmark: gomp's mp side by side with CPython's multiprocessing, in one run.

Measures, for gomp (through a real kernel, driven by jupyter_client) and for
CPython's multiprocessing with the fork and spawn start methods:
  startjoin  Process start + join of an empty target, in a session with about
             200 lines of declarations (types, funcs, methods); timed inside
             the cell (gomp: Go's time package) or the script (CPython:
             time.perf_counter), back to back and with a 50 ms pause between
             iterations
  memory     USS (Private_Clean + Private_Dirty), PSS and RSS of an idle child
             (its target sleeps), from /proc/PID/smaps_rollup 1 s after start
  output     a child printing 100k short lines, until the last line reaches
             the client on iopub (gomp kernel; CPython's child run from an
             ipykernel cell, fork and spawn), checking that none is lost

The same ~200 lines of course-like declarations are declared in the gomp
session (in a few cells, as a notebook would) and written as a module that
CPython's script imports and its spawn children import again. Runs alternate
the order of gomp and CPython so that drift in the machine's load hits both
alike. Medians are reported with the ratios gomp / CPython, as a Markdown table.

Usage (from the repository root, with Debian's Jupyter and ipykernel):
  /usr/bin/python3 bench/mp.py [--iters 200] [--spawn-iters 100] [--children 10]
                               [--lines 100000] [--output-runs 3] [--out FILE]

It builds gomp itself (go build) into a temporary directory and registers it
and ipykernel in a temporary JUPYTER_PATH, so the user's own kernels are not
used.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LOAD_BEFORE = 0.0  # the machine's load when the run started, for the report
LOADS = []         # (phase, load average) as each phase ended
PAUSE = 0.050      # the pause between iterations of the paced start+join

# About 200 lines of declarations, as a course's notebook would have them by
# the time it starts processes. Cells are separated by "// cell" lines. The
# last cell has the benchmark's targets.
GO_DECLS = r'''
import (
	"errors"
	"fmt"
	"math"
	"mp"
	"os"
	"sort"
	"strings"
	"time"
)
// cell
type Shape interface {
	Area() float64
	Perimeter() float64
	Name() string
}

type Rect struct{ W, H float64 }

func (r Rect) Area() float64      { return r.W * r.H }
func (r Rect) Perimeter() float64 { return 2 * (r.W + r.H) }
func (r Rect) Name() string       { return "rectangle" }

type Circle struct{ R float64 }

func (c Circle) Area() float64      { return math.Pi * c.R * c.R }
func (c Circle) Perimeter() float64 { return 2 * math.Pi * c.R }
func (c Circle) Name() string       { return "circle" }

type Triangle struct{ A, B, C float64 }

func (t Triangle) Perimeter() float64 { return t.A + t.B + t.C }
func (t Triangle) Name() string       { return "triangle" }
func (t Triangle) Area() float64 {
	s := t.Perimeter() / 2
	return math.Sqrt(s * (s - t.A) * (s - t.B) * (s - t.C))
}

func TotalArea(shapes []Shape) float64 {
	total := 0.0
	for _, s := range shapes {
		total += s.Area()
	}
	return total
}

func Largest(shapes []Shape) Shape {
	var best Shape
	for _, s := range shapes {
		if best == nil || s.Area() > best.Area() {
			best = s
		}
	}
	return best
}
// cell
type Transaction struct {
	Kind   string
	Amount float64
	At     time.Time
}

type Account struct {
	Owner   string
	Balance float64
	History []Transaction
}

func NewAccount(owner string) *Account { return &Account{Owner: owner} }

func (a *Account) Deposit(x float64) error {
	if x <= 0 {
		return errors.New("deposit must be positive")
	}
	a.Balance += x
	a.History = append(a.History, Transaction{"deposit", x, time.Now()})
	return nil
}

func (a *Account) Withdraw(x float64) error {
	if x > a.Balance {
		return fmt.Errorf("insufficient funds: balance %.2f, asked %.2f", a.Balance, x)
	}
	a.Balance -= x
	a.History = append(a.History, Transaction{"withdraw", x, time.Now()})
	return nil
}

func (a *Account) Statement() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Account of %s\n", a.Owner)
	for _, t := range a.History {
		fmt.Fprintf(&b, "  %-8s %10.2f\n", t.Kind, t.Amount)
	}
	fmt.Fprintf(&b, "  balance  %10.2f\n", a.Balance)
	return b.String()
}

type Stack struct{ items []int }

func (s *Stack) Push(x int)    { s.items = append(s.items, x) }
func (s *Stack) Len() int      { return len(s.items) }
func (s *Stack) IsEmpty() bool { return len(s.items) == 0 }
func (s *Stack) Pop() (int, bool) {
	if s.IsEmpty() {
		return 0, false
	}
	x := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return x, true
}

type Queue struct{ items []string }

func (q *Queue) Enqueue(x string) { q.items = append(q.items, x) }
func (q *Queue) Len() int         { return len(q.items) }
func (q *Queue) Dequeue() (string, bool) {
	if len(q.items) == 0 {
		return "", false
	}
	x := q.items[0]
	q.items = q.items[1:]
	return x, true
}
// cell
const PassMark = 50

type Student struct {
	Name   string
	Grades []int
}

func (s Student) Average() float64 {
	if len(s.Grades) == 0 {
		return 0
	}
	sum := 0
	for _, g := range s.Grades {
		sum += g
	}
	return float64(sum) / float64(len(s.Grades))
}

func (s Student) Letter() string {
	switch avg := s.Average(); {
	case avg >= 90:
		return "A"
	case avg >= 75:
		return "B"
	case avg >= 60:
		return "C"
	case avg >= PassMark:
		return "D"
	}
	return "F"
}

func Ranking(students []Student) []Student {
	out := append([]Student(nil), students...)
	sort.Slice(out, func(i, j int) bool { return out[i].Average() > out[j].Average() })
	return out
}

func Histogram(students []Student) map[string]int {
	h := map[string]int{}
	for _, s := range students {
		h[s.Letter()]++
	}
	return h
}

func WordCount(text string) map[string]int {
	counts := map[string]int{}
	for _, w := range strings.Fields(strings.ToLower(text)) {
		counts[strings.Trim(w, ".,;:!?\"'()")]++
	}
	return counts
}

func TopWords(counts map[string]int, n int) []string {
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > n {
		words = words[:n]
	}
	return words
}

func Reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func IsPalindrome(s string) bool {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	return s == Reverse(s)
}
// cell
func IsPrime(n int) bool {
	if n < 2 {
		return false
	}
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return true
}

func Primes(n int) []int {
	sieve := make([]bool, n+1)
	var out []int
	for i := 2; i <= n; i++ {
		if !sieve[i] {
			out = append(out, i)
			for j := i * i; j <= n; j += i {
				sieve[j] = true
			}
		}
	}
	return out
}

func Fib(n int) int {
	a, b := 0, 1
	for i := 0; i < n; i++ {
		a, b = b, a+b
	}
	return a
}

func GCD(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

type Matrix [][]float64

func NewMatrix(rows, cols int) Matrix {
	m := make(Matrix, rows)
	for i := range m {
		m[i] = make([]float64, cols)
	}
	return m
}

func (m Matrix) Mul(o Matrix) (Matrix, error) {
	if len(m) == 0 || len(m[0]) != len(o) {
		return nil, errors.New("matrix sizes do not match")
	}
	r := NewMatrix(len(m), len(o[0]))
	for i := range m {
		for j := range o[0] {
			for k := range o {
				r[i][j] += m[i][k] * o[k][j]
			}
		}
	}
	return r, nil
}

type Celsius float64

func (c Celsius) Fahrenheit() float64 { return float64(c)*9/5 + 32 }
func (c Celsius) String() string      { return fmt.Sprintf("%.1f°C", float64(c)) }
// cell
func empty() {}

func idle() { time.Sleep(10 * time.Second) }

func chatter(n int) {
	for i := 0; i < n; i++ {
		fmt.Println("line", i)
	}
}
'''

PY_DECLS = r'''
import math
import os
import time


class Shape:
    def area(self):
        raise NotImplementedError

    def perimeter(self):
        raise NotImplementedError

    def name(self):
        return type(self).__name__.lower()


class Rect(Shape):
    def __init__(self, w, h):
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h

    def perimeter(self):
        return 2 * (self.w + self.h)


class Circle(Shape):
    def __init__(self, r):
        self.r = r

    def area(self):
        return math.pi * self.r * self.r

    def perimeter(self):
        return 2 * math.pi * self.r


class Triangle(Shape):
    def __init__(self, a, b, c):
        self.a, self.b, self.c = a, b, c

    def perimeter(self):
        return self.a + self.b + self.c

    def area(self):
        s = self.perimeter() / 2
        return math.sqrt(s * (s - self.a) * (s - self.b) * (s - self.c))


def total_area(shapes):
    return sum(s.area() for s in shapes)


def largest(shapes):
    best = None
    for s in shapes:
        if best is None or s.area() > best.area():
            best = s
    return best


class Transaction:
    def __init__(self, kind, amount):
        self.kind, self.amount, self.at = kind, amount, time.time()


class Account:
    def __init__(self, owner):
        self.owner, self.balance, self.history = owner, 0.0, []

    def deposit(self, x):
        if x <= 0:
            raise ValueError("deposit must be positive")
        self.balance += x
        self.history.append(Transaction("deposit", x))

    def withdraw(self, x):
        if x > self.balance:
            raise ValueError(f"insufficient funds: balance {self.balance:.2f}, asked {x:.2f}")
        self.balance -= x
        self.history.append(Transaction("withdraw", x))

    def statement(self):
        lines = [f"Account of {self.owner}"]
        for t in self.history:
            lines.append(f"  {t.kind:<8} {t.amount:10.2f}")
        lines.append(f"  balance  {self.balance:10.2f}")
        return "\n".join(lines)


class Stack:
    def __init__(self):
        self.items = []

    def push(self, x):
        self.items.append(x)

    def pop(self):
        return self.items.pop() if self.items else None

    def __len__(self):
        return len(self.items)

    def is_empty(self):
        return not self.items


class Queue:
    def __init__(self):
        self.items = []

    def enqueue(self, x):
        self.items.append(x)

    def dequeue(self):
        return self.items.pop(0) if self.items else None

    def __len__(self):
        return len(self.items)


PASS_MARK = 50


class Student:
    def __init__(self, name, grades):
        self.name, self.grades = name, list(grades)

    def average(self):
        return sum(self.grades) / len(self.grades) if self.grades else 0.0

    def letter(self):
        avg = self.average()
        if avg >= 90:
            return "A"
        if avg >= 75:
            return "B"
        if avg >= 60:
            return "C"
        if avg >= PASS_MARK:
            return "D"
        return "F"


def ranking(students):
    return sorted(students, key=lambda s: s.average(), reverse=True)


def histogram(students):
    h = {}
    for s in students:
        h[s.letter()] = h.get(s.letter(), 0) + 1
    return h


def word_count(text):
    counts = {}
    for w in text.lower().split():
        w = w.strip(".,;:!?\"'()")
        counts[w] = counts.get(w, 0) + 1
    return counts


def top_words(counts, n):
    return sorted(counts, key=lambda w: (-counts[w], w))[:n]


def reverse(s):
    return s[::-1]


def is_palindrome(s):
    s = s.replace(" ", "").lower()
    return s == reverse(s)


def is_prime(n):
    if n < 2:
        return False
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    return True


def primes(n):
    sieve = [False] * (n + 1)
    out = []
    for i in range(2, n + 1):
        if not sieve[i]:
            out.append(i)
            for j in range(i * i, n + 1, i):
                sieve[j] = True
    return out


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


class Matrix:
    def __init__(self, rows, cols):
        self.rows = [[0.0] * cols for _ in range(rows)]

    def mul(self, other):
        if not self.rows or len(self.rows[0]) != len(other.rows):
            raise ValueError("matrix sizes do not match")
        r = Matrix(len(self.rows), len(other.rows[0]))
        for i, row in enumerate(self.rows):
            for j in range(len(other.rows[0])):
                r.rows[i][j] = sum(row[k] * other.rows[k][j] for k in range(len(other.rows)))
        return r


class Celsius(float):
    def fahrenheit(self):
        return self * 9 / 5 + 32

    def __str__(self):
        return f"{float(self):.1f}°C"


def empty():
    pass


def idle():
    time.sleep(10)


def chatter(n):
    for i in range(n):
        print("line", i)
'''

# CPython's side of the start+join and memory measures, run as its own script
# (so that spawn children import only it and the declarations, as a user's
# script would have them). It prints one JSON value.
PY_RUNNER = r'''
import json
import multiprocessing
import os
import sys
import time

from course import *


def rollup(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return f.read()


def startjoin(ctx, n, pause):
    for _ in range(2):  # warm-up (the spawn method's resource tracker, caches)
        p = ctx.Process(target=empty)
        p.start()
        p.join()
    out = []
    for _ in range(n):
        if pause:
            time.sleep(pause)
        t = time.perf_counter()
        p = ctx.Process(target=empty)
        p.start()
        p.join()
        out.append(time.perf_counter() - t)
        if p.exitcode != 0:
            raise SystemExit(f"exit code {p.exitcode}")
    return out


def memory(ctx, n):
    out = []
    for _ in range(n):
        p = ctx.Process(target=idle)
        p.start()
        time.sleep(1.0)
        out.append(rollup(p.pid))
        p.terminate()
        p.join()
    return out


if __name__ == "__main__":
    what, method, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ctx = multiprocessing.get_context(method)
    if what == "startjoin":
        print(json.dumps(startjoin(ctx, n, float(sys.argv[4]))))
    else:
        print(json.dumps(memory(ctx, n)))
'''

# The gomp cells. Their loops are in blocks so that no variable becomes a
# global (globals are copied to every child at Start).
GO_STARTJOIN = '''{
	ds := make([]time.Duration, 0, %(n)d)
	for i := 0; i < %(n)d; i++ {
		if %(pause)d > 0 {
			time.Sleep(%(pause)d * time.Millisecond)
		}
		t := time.Now()
		p := mp.NewProcess(empty)
		p.Start()
		p.Join()
		ds = append(ds, time.Since(t))
		if p.ExitCode() != 0 {
			panic(fmt.Sprint("exit code ", p.ExitCode()))
		}
	}
	for _, d := range ds {
		fmt.Println("D", d.Nanoseconds())
	}
}
'''

GO_MEMORY = '''{
	for i := 0; i < %(n)d; i++ {
		p := mp.NewProcess(idle)
		p.Start()
		time.Sleep(time.Second)
		// Declared apart: gomp rejects "b, err := f()" inside a block of a cell.
		var b []byte
		var err error
		b, err = os.ReadFile(fmt.Sprintf("/proc/%%d/smaps_rollup", p.Pid()))
		if err != nil {
			panic(err)
		}
		fmt.Printf("BEGIN\\n%%sEND\\n", b)
		p.Terminate()
		p.Join()
	}
}
'''

GO_OUTPUT = '''{
	p := mp.NewProcess(chatter, %(n)d)
	p.Start()
	p.Join()
}
'''

PY_OUTPUT_SETUP = '''import sys
sys.path.insert(0, %(dir)r)
import multiprocessing
import course
'''

PY_OUTPUT = '''p = multiprocessing.get_context(%(method)r).Process(target=course.chatter, args=(%(n)d,))
p.start()
p.join()
'''


def setup(tmp, gomp=None, rev=None):
    """Build gomp (unless given; from the working tree, or from commit rev),
    write both kernelspecs and CPython's files under tmp."""
    if gomp is None:
        gomp = os.path.join(tmp, "gomp")
        src = ROOT
        if rev:
            src = os.path.join(tmp, "src")
            os.makedirs(src)
            archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", src], input=archive, check=True)
        subprocess.run(["go", "build", "-o", gomp, "."], cwd=src, check=True)
    gomp = os.path.abspath(gomp)
    # A binary just written has dirty pages in the page cache, which would
    # show as Shared_Dirty in its processes' smaps until written back.
    fd = os.open(gomp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    jupyter_path = use_kernelspecs(tmp, gomp)
    pydir = os.path.join(tmp, "py")
    os.makedirs(pydir)
    with open(os.path.join(pydir, "course.py"), "w") as f:
        f.write(PY_DECLS.lstrip())
    with open(os.path.join(pydir, "runner.py"), "w") as f:
        f.write(PY_RUNNER.lstrip())
    return jupyter_path, gomp, pydir


def use_kernelspecs(tmp, gomp):
    """Write the gomp and ipykernel kernelspecs under tmp and point this
    process's Jupyter (and the kernels it starts) there; return the
    JUPYTER_PATH."""
    specs = {
        "gomp": {
            "argv": [gomp, "kernel", "{connection_file}"],
            "display_name": "Go (mp)", "language": "go", "interrupt_mode": "signal",
        },
        "ipykernel": {
            "argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python", "interrupt_mode": "signal",
        },
    }
    for name, spec in specs.items():
        d = os.path.join(tmp, "share", "jupyter", "kernels", name)
        os.makedirs(d)
        with open(os.path.join(d, "kernel.json"), "w") as f:
            json.dump(spec, f)
    jupyter_path = os.path.join(tmp, "share", "jupyter")
    os.environ["JUPYTER_PATH"] = jupyter_path
    os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(tmp, "runtime")
    os.environ["JUPYTER_DATA_DIR"] = os.path.join(tmp, "data")
    return jupyter_path


def decl_lines(src):
    return sum(1 for line in src.splitlines() if line.strip() and not line.strip().startswith("// cell"))


class Kernel:
    """A kernel started with jupyter_client, with helpers to run cells."""

    def __init__(self, name):
        from jupyter_client.manager import KernelManager

        self.name = name
        self.km = KernelManager(kernel_name=name)
        # The kernels' own stdout is not the notebook's (ipykernel echoes its
        # children's captured output there too): keep it off the terminal.
        self.km.start_kernel(stdout=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    @property
    def pid(self):
        return self.km.provisioner.pid

    def run(self, code, timeout=300):
        """Run a cell; return its stdout. Raise if it failed."""
        msg_id = self.kc.execute(code)
        out, err = [], []
        deadline = time.monotonic() + timeout
        idle = False
        while not idle:
            msg = self.kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            t, c = msg["msg_type"], msg["content"]
            if t == "stream":
                (out if c["name"] == "stdout" else err).append(c["text"])
            elif t == "error":
                err.append("\n".join(c["traceback"]))
            elif t == "status" and c["execution_state"] == "idle":
                idle = True
        reply = self.wait_reply(msg_id, deadline)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{self.name}: cell failed:\n{code}\n{''.join(err)}")
        return "".join(out)

    def wait_reply(self, msg_id, deadline):
        while True:
            msg = self.kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def output(self, code, n, quiet=3.0, timeout=300):
        """Run a cell whose child prints n lines "line i"; return
        (seconds from execute_request to the message with the last line,
        lines received, whether every byte arrived, whether in order)."""
        expected = "".join(f"line {i}\n" for i in range(n))
        chunks = []
        got = 0
        t0 = time.perf_counter()
        msg_id = self.kc.execute(code)
        deadline = time.monotonic() + timeout
        t_last = None
        idle = False
        quiet_until = None
        while True:
            now = time.monotonic()
            if now > deadline or (quiet_until is not None and now > quiet_until):
                break
            wait = deadline - now if quiet_until is None else quiet_until - now
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.01, wait))
            except Exception:  # queue.Empty: quiet for long enough
                break
            arrived = time.perf_counter()
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            t, c = msg["msg_type"], msg["content"]
            if t == "stream" and c["name"] == "stdout":
                chunks.append(c["text"])
                got += c["text"].count("\n")
                if got >= n and t_last is None:
                    t_last = arrived
            elif t == "error":
                raise RuntimeError(f"{self.name}: cell failed:\n" + "\n".join(c["traceback"]))
            elif t == "status" and c["execution_state"] == "idle":
                idle = True
            if idle and got >= n:
                break
            if idle and quiet_until is None:
                # The kernel is idle but lines are missing: late output may
                # still come (ipykernel forwards children's output in
                # threads); wait until it has been quiet for a while.
                quiet_until = time.monotonic() + quiet
            elif quiet_until is not None:
                quiet_until = time.monotonic() + quiet
        self.wait_reply(msg_id, time.monotonic() + 30)
        text = "".join(chunks)
        elapsed = (t_last if t_last is not None else time.perf_counter()) - t0
        return elapsed, text.count("\n"), sorted(text) == sorted(expected), text == expected

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def run_py(pydir, *args):
    r = subprocess.run([sys.executable, "runner.py", *map(str, args)], cwd=pydir,
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def rollup(text):
    """Bytes of RSS, PSS and USS from the text of /proc/PID/smaps_rollup."""
    kb = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "kB":
            kb[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return {"rss": kb["Rss"], "pss": kb["Pss"], "uss": kb["Private_Clean"] + kb["Private_Dirty"]}


def gomp_rollups(out):
    blocks = []
    for part in out.split("BEGIN\n")[1:]:
        blocks.append(rollup(part.split("END\n")[0]))
    return blocks


def children(pid):
    """Pids of the live children of pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(d))
    return out


def chunks(total, rounds):
    """Split total iterations into rounds parts."""
    base, extra = divmod(total, rounds)
    return [base + (1 if i < extra else 0) for i in range(rounds)]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def measure(args, gomp_k, pydir):
    res = {"startjoin": {}, "paced": {}, "memory": {}, "output": {}, "rounds": []}
    impls = ["gomp", "fork", "spawn"]
    for key in ("startjoin", "paced", "memory"):
        res[key] = {k: [] for k in impls}
    order = list(impls)

    # Warm-up: the first Start after the declarations sends the session to the
    # warm child; CPython's runner warms up inside each call.
    gomp_k.run(GO_STARTJOIN % {"n": 3, "pause": 50})

    rounds = args.rounds
    iters = {"gomp": chunks(args.iters, rounds), "fork": chunks(args.iters, rounds),
             "spawn": chunks(args.spawn_iters, rounds)}
    for r in range(rounds):
        for key, pause in (("startjoin", 0), ("paced", PAUSE)):
            for impl in order:
                n = iters[impl][r]
                if impl == "gomp":
                    out = gomp_k.run(GO_STARTJOIN % {"n": n, "pause": int(pause * 1000)})
                    ds = [int(line.split()[1]) / 1e9 for line in out.splitlines() if line.startswith("D ")]
                    if len(ds) != n:
                        raise RuntimeError(f"gomp printed {len(ds)} durations, not {n}")
                else:
                    ds = run_py(pydir, "startjoin", impl, n, pause)
                res[key][impl] += ds
                if key == "startjoin":
                    res["rounds"].append((r, impl, statistics.median(ds)))
            order.reverse()
        log(f"start+join round {r + 1}/{rounds}: " + ", ".join(
            f"{k} {fmt_t(statistics.median(res['startjoin'][k]))} / paced "
            f"{fmt_t(statistics.median(res['paced'][k]))}" for k in impls))

    LOADS.append(("start+join", os.getloadavg()[0]))
    mem_rounds = chunks(args.children, 2)
    for r, n in enumerate(mem_rounds):
        for impl in order:
            if impl == "gomp":
                res["memory"][impl] += gomp_rollups(gomp_k.run(GO_MEMORY % {"n": n}))
            else:
                res["memory"][impl] += [rollup(t) for t in run_py(pydir, "memory", impl, n)]
        order.reverse()
        log(f"memory round {r + 1}/{len(mem_rounds)}: " + ", ".join(
            f"{k} USS {fmt_b(statistics.median(m['uss'] for m in res['memory'][k]))}" for k in impls))

    # The warm children gomp keeps ready for the next Starts, for the notes:
    # once the measured children have ended, the only children of the
    # session process (the kernel process's child since the process split).
    time.sleep(1.0)
    warm = []
    for session in children(gomp_k.pid):
        for pid in children(session):
            try:
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    warm.append(rollup(f.read()))
            except OSError:
                pass
    res["warm"] = warm
    LOADS.append(("memory", os.getloadavg()[0]))
    return res


def measure_output(args, gomp_k, py_k, pydir):
    impls = ["gomp", "fork", "spawn"]
    res = {k: [] for k in impls}
    py_k.run(PY_OUTPUT_SETUP % {"dir": pydir})
    order = list(impls)
    for r in range(args.output_runs):
        for impl in order:
            if impl == "gomp":
                res[impl].append(gomp_k.output(GO_OUTPUT % {"n": args.lines}, args.lines))
            else:
                n = args.fork_lines if impl == "fork" else args.lines
                res[impl].append(py_k.output(PY_OUTPUT % {"method": impl, "n": n}, n))
        order.reverse()
        log(f"output run {r + 1}/{args.output_runs}: " + ", ".join(
            f"{k} {res[k][-1][1]} lines in {fmt_t(res[k][-1][0])}" for k in impls))
    # For information: CPython printing into a pipe its parent reads, no notebook.
    code = f"for i in range({args.lines}): print('line', i)"
    pipe = []
    for _ in range(args.output_runs):
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        pipe.append((time.perf_counter() - t, r.stdout.count("\n")))
    return res, pipe


def fmt_t(s):
    if s < 0.01:
        return f"{s * 1000:.2f} ms"
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def fmt_n(n):
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def fmt_b(b):
    return f"{b / (1 << 20):.1f} MiB"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def versions(gomp):
    import jupyter_client

    import ipykernel

    go = subprocess.run([gomp, "version"], capture_output=True, text=True).stdout.strip().removeprefix("gomp ")
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "gomp": go or "?",
        "python": platform.python_version(),
        "ipykernel": ipykernel.__version__,
        "jupyter_client": jupyter_client.__version__,
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "load": "{:.2f} before, ".format(LOAD_BEFORE) + ", ".join(
            f"{load:.2f} after {phase}" for phase, load in LOADS + [("output", os.getloadavg()[0])]),
    }


def table(args, res, out, pipe, info, elapsed):
    m = statistics.median
    lines = [
        f"Session: {decl_lines(GO_DECLS)} non-blank lines of Go declarations in "
        f"{GO_DECLS.count('// cell') + 1} cells, their Python counterpart ({decl_lines(PY_DECLS)} "
        f"non-blank lines) as a module. gomp {info['gomp']}; CPython {info['python']} (multiprocessing in a script; "
        f"the output row's CPython children started from an ipykernel {info['ipykernel']} cell); "
        f"jupyter_client {info['jupyter_client']}; {info['cpu']}; load average {info['load']}; "
        f"the whole run took {elapsed / 60:.1f} min.",
        "",
        "| measure | gomp | CPython fork | CPython spawn | gomp / fork | gomp / spawn | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for key, label in (("startjoin", "start+join, back to back"),
                       ("paced", f"start+join, {PAUSE * 1000:.0f} ms apart")):
        g, f, s = (m(res[key][k]) for k in ("gomp", "fork", "spawn"))
        verdict = "met" if g <= f else "**missed**"
        lines.append(f"| {label} (median of {len(res[key]['gomp'])} / {len(res[key]['fork'])} / "
                     f"{len(res[key]['spawn'])}) | {fmt_t(g)} | {fmt_t(f)} | {fmt_t(s)} | "
                     f"{g / f:.2f} | {g / s:.2f} | ≤ fork: {verdict} |")
    for k, label in (("uss", "USS"), ("pss", "PSS"), ("rss", "RSS")):
        g, f, s = (m(x[k] for x in res["memory"][i]) for i in ("gomp", "fork", "spawn"))
        target = ("≤ spawn: " + ("met" if g <= s else "**missed**")) if k == "uss" else "(beside USS)"
        lines.append(f"| idle child {label} (median of {len(res['memory']['gomp'])} / "
                     f"{len(res['memory']['fork'])} / {len(res['memory']['spawn'])}) | {fmt_b(g)} | "
                     f"{fmt_b(f)} | {fmt_b(s)} | {g / f:.2f} | {g / s:.2f} | {target} |")
    sent = {"gomp": args.lines, "fork": args.fork_lines, "spawn": args.lines}
    rate = {k: m(sent[k] / r[0] for r in out[k]) for k in out}
    whole = {k: all(r[2] for r in out[k]) for k in out}
    ordered = {k: all(r[3] for r in out[k]) for k in out}
    lines.append(f"| lines printed by a child → client, lines/s, higher is better "
                 f"({fmt_n(sent['gomp'])} / {fmt_n(sent['fork'])} / {fmt_n(sent['spawn'])} lines, "
                 f"median of {args.output_runs}) | {rate['gomp']:,.0f} | {rate['fork']:,.0f} | "
                 f"{rate['spawn']:,.0f} | {rate['gomp'] / rate['fork']:.1f} | "
                 f"{rate['gomp'] / rate['spawn']:.2f} | complete: "
                 f"{'met' if whole['gomp'] and ordered['gomp'] else '**missed**'} |")

    def verdict(k):
        if ordered[k]:
            return "yes"
        got = ", ".join(str(r[1]) for r in out[k])
        return ("all bytes, **not in order**" if whole[k] else "**no**") + f" ({got} lines)"
    lines.append("| … every line received, in order, in every run | "
                 + " | ".join(verdict(k) for k in ("gomp", "fork", "spawn")) + " | | | |")
    lines += [
        "",
        "Spread of start+join (p10 / median / p90):",
        "",
        "| | gomp | CPython fork | CPython spawn |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, label in (("startjoin", "back to back"), ("paced", f"{PAUSE * 1000:.0f} ms apart")):
        lines.append(f"| {label} | " + " | ".join(
            " / ".join(fmt_t(pct(res[key][k], p)) for p in (10, 50, 90))
            for k in ("gomp", "fork", "spawn")) + " |")
    info_lines = []
    if res.get("warm"):
        w = res["warm"]
        info_lines.append(f"gomp's warm children (idle, ready for the next Starts), 1 s after the memory part: "
                          f"{len(w)}, USS {fmt_b(m(x['uss'] for x in w))}, PSS {fmt_b(m(x['pss'] for x in w))}, "
                          f"RSS {fmt_b(m(x['rss'] for x in w))} each (median), USS {fmt_b(sum(x['uss'] for x in w))} in all.")
    if res.get("rounds"):
        per = {k: [f"{fmt_t(v)}" for r, i, v in res["rounds"] if i == k] for k in ("gomp", "fork", "spawn")}
        info_lines.append("Back to back, the median of each round (rounds in order): "
                          + "; ".join(f"{label} {', '.join(per[k])}" for k, label in
                                      (("gomp", "gomp"), ("fork", "CPython fork"), ("spawn", "CPython spawn"))) + ".")
    prate = m(args.lines / e for e, _ in pipe)
    info_lines.append(f"CPython printing {fmt_n(args.lines)} lines into a pipe its parent reads "
                      f"(no notebook, interpreter start included): {prate:,.0f} lines/s, "
                      f"{'all' if all(n == args.lines for _, n in pipe) else 'NOT all'} received.")
    lines += [""] + info_lines
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iters", type=int, default=200, help="start+join iterations, gomp and fork, each way")
    ap.add_argument("--spawn-iters", type=int, default=200, help="start+join iterations for spawn, each way")
    ap.add_argument("--rounds", type=int, default=4, help="start+join rounds, alternating the order")
    ap.add_argument("--children", type=int, default=10, help="idle children measured per start method")
    ap.add_argument("--lines", type=int, default=100000)
    ap.add_argument("--fork-lines", type=int, default=10000,
                    help="lines for CPython's fork child under ipykernel (it sends each write "
                         "as its own message, a few hundred lines/s)")
    ap.add_argument("--output-runs", type=int, default=3)
    ap.add_argument("--max-load", type=float, default=1.5,
                    help="above this load average at start, wait 60 s once before starting")
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--rev", help="build gomp from this commit (git archive) rather than the "
                                  "working tree, e.g. HEAD when others are editing it")
    ap.add_argument("--gomp", help="a gomp binary to use instead of building one")
    args = ap.parse_args()

    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()[0]
    if LOAD_BEFORE > args.max_load:
        log(f"load average {LOAD_BEFORE:.2f} > {args.max_load}: waiting 60 s")
        time.sleep(60)
        LOAD_BEFORE = os.getloadavg()[0]
    t_start = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="gomp-bench-mp-")
    gomp_k = py_k = None
    try:
        _, gomp, pydir = setup(tmp, args.gomp, args.rev)
        # Only silences debugpy's start-up warning about frozen modules.
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        log(f"declarations: {decl_lines(GO_DECLS)} lines of Go, {decl_lines(PY_DECLS)} of Python")

        gomp_k = Kernel("gomp")
        for cell in GO_DECLS.split("// cell\n"):
            gomp_k.run(cell)
        res = measure(args, gomp_k, pydir)
        py_k = Kernel("ipykernel")
        out, pipe = measure_output(args, gomp_k, py_k, pydir)
        info = versions(gomp)
        if args.rev:
            rev = subprocess.run(["git", "rev-parse", "--short", args.rev], cwd=ROOT,
                                 capture_output=True, text=True).stdout.strip()
            info["gomp"] += f", commit {rev}"
        text = table(args, res, out, pipe, info, time.perf_counter() - t_start)
        print(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text)
    finally:
        for k in (gomp_k, py_k):
            if k is not None:
                k.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
